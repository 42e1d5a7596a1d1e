"""spill from Python: ctypes over the shared libspill, nothing to compile.

    >>> import spill
    >>> rec = spill.score("Some page text.\\nHome | About")
    >>> rec["score"], rec["spans"][0]["label"]

score() and score_many() return the annotation records `spill score` writes
(they are made by the same writer, then parsed), so the results equal the
CLI's: score_many() over the records of a file equals `spill score FILE`,
score(text) equals `spill score --no-batch` of that one page.  Sketch wraps
the mergeable corpus line counts of `spill sketch`.

The library is found from $SPILL_LIB, then build/libspill.so next to this
file's repository, then the system's libspill.so; the model from
$SPILL_MODEL or the library's default.  Standard library only.
"""

import ctypes
import ctypes.util
import json
import os
import threading

__all__ = ["Model", "Sketch", "score", "score_many", "SpillError", "version"]

_HERE = os.path.dirname(os.path.abspath(__file__))


class SpillError(Exception):
    """A libspill call failed; the message says why."""


class _Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("offset", ctypes.c_int64),
                ("message", ctypes.c_char * 512)]


class _Hints(ctypes.Structure):
    _fields_ = [("url", ctypes.c_char_p), ("content_language", ctypes.c_char_p),
                ("batch", ctypes.c_void_p)]


class _Buf(ctypes.Structure):
    _fields_ = [("data", ctypes.POINTER(ctypes.c_char)), ("len", ctypes.c_size_t),
                ("cap", ctypes.c_size_t)]


def _load_library():
    candidates = [os.environ.get("SPILL_LIB"),
                  os.path.join(_HERE, "..", "build", "libspill.so"),
                  ctypes.util.find_library("spill")]
    for path in candidates:
        if path and (os.path.exists(path) or not os.path.dirname(path)):
            try:
                return ctypes.CDLL(path)
            except OSError:
                continue
    raise SpillError("libspill.so not found: build it (cmake --build build) or set SPILL_LIB")


_lib = _load_library()
_P = ctypes.c_void_p
_sigs = {
    "spill_version": (ctypes.c_char_p, []),
    "spill_model_load": (_P, [ctypes.c_char_p, _P, ctypes.POINTER(_Error)]),
    "spill_model_free": (None, [_P]),
    "spill_ctx_new": (_P, [_P, _P, ctypes.POINTER(_Error)]),
    "spill_ctx_free": (None, [_P]),
    "spill_ctx_message": (ctypes.c_char_p, [_P]),
    "spill_annotate": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t,
                                      ctypes.POINTER(_Hints), ctypes.POINTER(_P)]),
    "spill_write_page": (ctypes.c_int, [ctypes.POINTER(_Buf), _P, ctypes.c_char_p,
                                        ctypes.c_uint]),
    "spill_buf_free": (None, [ctypes.POINTER(_Buf)]),
    "spill_linestats_new": (_P, [_P, ctypes.POINTER(_Error)]),
    "spill_linestats_add": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.c_size_t]),
    "spill_linestats_pages": (ctypes.c_uint64, [_P]),
    "spill_linestats_merge": (ctypes.c_int, [_P, _P]),
    "spill_linestats_save": (ctypes.c_int, [_P, ctypes.c_char_p, ctypes.POINTER(_Error)]),
    "spill_linestats_load": (_P, [ctypes.c_char_p, _P, ctypes.POINTER(_Error)]),
    "spill_linestats_free": (None, [_P]),
}
for _name, (_res, _args) in _sigs.items():
    _f = getattr(_lib, _name)
    _f.restype = _res
    _f.argtypes = _args

WRITE_OFFSETS_BYTES = 1
WRITE_DOLMA = 2


def version():
    return _lib.spill_version().decode()


def _b(s):
    return s.encode("utf-8", "surrogateescape") if isinstance(s, str) else s


class Sketch:
    """Line counts over pages (spill sketch): add pages, merge, save, load."""

    def __init__(self, path=None):
        err = _Error()
        if path:
            self._p = _lib.spill_linestats_load(_b(path), None, ctypes.byref(err))
        else:
            self._p = _lib.spill_linestats_new(None, ctypes.byref(err))
        if not self._p:
            raise SpillError(err.message.decode(errors="replace"))

    def add(self, text):
        t = _b(text)
        if _lib.spill_linestats_add(self._p, t, len(t)):
            raise SpillError("out of memory")

    def merge(self, other):
        if _lib.spill_linestats_merge(self._p, other._p):
            raise SpillError("sketches of other dimensions")
        return self

    def save(self, path):
        err = _Error()
        if _lib.spill_linestats_save(self._p, _b(path), ctypes.byref(err)):
            raise SpillError(err.message.decode(errors="replace"))

    @property
    def pages(self):
        return _lib.spill_linestats_pages(self._p)

    def __del__(self):
        if getattr(self, "_p", None):
            _lib.spill_linestats_free(self._p)
            self._p = None


class Model:
    """A loaded model, shared by every thread; each thread gets its context."""

    def __init__(self, path=None):
        err = _Error()
        self._p = _lib.spill_model_load(_b(path) if path else None, None, ctypes.byref(err))
        if not self._p:
            raise SpillError(err.message.decode(errors="replace"))
        self._local = threading.local()

    def _ctx(self):
        ctx = getattr(self._local, "ctx", None)
        if ctx is None:
            err = _Error()
            ctx = _lib.spill_ctx_new(self._p, None, ctypes.byref(err))
            if not ctx:
                raise SpillError(err.message.decode(errors="replace"))
            self._local.ctx = ctx
        return ctx

    def score(self, text, id=None, url=None, sketch=None, offsets="codepoints", dolma=False):
        """The annotation record of one page (a dict), or {"id", "error"}."""
        return json.loads(self.score_json(text, id, url, sketch, offsets, dolma))

    def score_json(self, text, id=None, url=None, sketch=None, offsets="codepoints",
                   dolma=False):
        """The annotation record as the JSON line `spill score` writes (str,
        newline included): byte for byte the CLI's."""
        ctx = self._ctx()
        t = _b(text)
        hints = _Hints(_b(url) if url else None, None, sketch._p if sketch else None)
        page = ctypes.c_void_p()
        if _lib.spill_annotate(ctx, _b(id) if id is not None else None, t, len(t),
                               ctypes.byref(hints), ctypes.byref(page)):
            return json.dumps({"id": id, "error": _lib.spill_ctx_message(ctx).decode(
                errors="replace")}) + "\n"
        buf = _Buf()
        flags = (WRITE_OFFSETS_BYTES if offsets == "bytes" else 0) | (WRITE_DOLMA if dolma else 0)
        try:
            if _lib.spill_write_page(ctypes.byref(buf), page, _b(url) if url else None, flags):
                raise SpillError("out of memory")
            return ctypes.string_at(buf.data, buf.len).decode("utf-8")
        finally:
            _lib.spill_buf_free(ctypes.byref(buf))

    def score_many(self, records, text_field="text", id_field="id", sketch=None, batch=True):
        """Annotation records of an iterable of dicts, in order.  Unless a
        sketch is given (or batch=False), a first pass counts the records'
        lines, as `spill score` does over a file."""
        records = list(records)
        if sketch is None and batch:
            sketch = Sketch()
            for r in records:
                text = r.get(text_field)
                if isinstance(text, str):
                    sketch.add(text)
        out = []
        for n, r in enumerate(records, 1):
            rid = r.get(id_field)
            text = r.get(text_field)
            if not isinstance(text, str):
                why = "missing" if text is None else "not a string"
                out.append({"id": rid, "error": 'field "%s" is %s' % (text_field, why)})
                continue
            out.append(self.score(text, id=str(rid) if rid is not None else None,
                                  url=r.get("url"), sketch=sketch))
        return out

    def __del__(self):
        if getattr(self, "_p", None):
            _lib.spill_model_free(self._p)
            self._p = None


_default = None
_default_lock = threading.Lock()


def _model():
    global _default
    with _default_lock:
        if _default is None:
            _default = Model(os.environ.get("SPILL_MODEL") or None)
        return _default


def score(text, id=None, url=None, **kw):
    """Annotates one page with the default model."""
    return _model().score(text, id=id, url=url, **kw)


def score_many(records, **kw):
    """Annotates records (dicts with "id" and "text") with the default model."""
    return _model().score_many(records, **kw)
