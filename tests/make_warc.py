#!/usr/bin/env python3
"""Writes WARC/WET test files shaped like Common Crawl's: one gzip member per
record, a warcinfo record first, CRLF line ends, WARC-Record-ID as
<urn:uuid:...>.

usage: make_warc.py OUT.warc.wet.gz [--lying]

With --lying, a record claims a Content-Length shorter than its block (the
rest is junk before the next record), and the last record claims more bytes
than the file holds."""

import gzip
import sys
import uuid

PAGES = [
    ("http://example.com/a", "Headline of the first page\nThe first page has a paragraph of text "
     "that says something in full sentences.\nHome | About | Contact"),
    ("http://example.de/b", "Die zweite Seite ist auf Deutsch geschrieben.\nSie hat zwei Zeilen."),
    ("http://example.ru/c", "Третья страница написана по-русски и содержит одно предложение."),
]


def record(rtype, headers, block):
    body = block.encode("utf-8")
    lines = ["WARC/1.0", "WARC-Type: " + rtype,
             "WARC-Date: 2024-01-01T00:00:00Z",
             "WARC-Record-ID: <urn:uuid:%s>" % uuid.UUID(int=len(body) * 7919 + len(rtype))]
    lines += headers
    return lines, body


def emit(out, lines, body, claimed=None):
    n = len(body) if claimed is None else claimed
    head = "\r\n".join(lines + ["Content-Length: %d" % n]) + "\r\n\r\n"
    out.write(gzip.compress(head.encode("utf-8") + body + b"\r\n\r\n", mtime=0))


def main():
    path = sys.argv[1]
    lying = "--lying" in sys.argv
    with open(path, "wb") as out:
        emit(out, *record("warcinfo", ["Content-Type: application/warc-fields"],
                          "software: test\r\nformat: WARC File Format 1.0\r\n"))
        for i, (url, text) in enumerate(PAGES):
            lines, body = record("conversion", ["WARC-Target-URI: " + url,
                                                "WARC-Refers-To: <urn:uuid:0>",
                                                "Content-Type: text/plain"], text)
            if lying and i == 0:
                emit(out, lines, body, claimed=len(body) - 20)
            elif lying and i == len(PAGES) - 1:
                emit(out, lines, body, claimed=len(body) + 500)
            else:
                emit(out, lines, body)
        if not lying:
            html = ("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                    "<html><head><title>An HTML page</title><script>var x = 1 < 2;</script>"
                    "</head><body><p>Fish &amp; chips are <b>good</b> food.</p>"
                    "<!-- a comment --><div>Second block&#33;</div></body></html>")
            emit(out, *record("response", ["WARC-Target-URI: http://example.org/d",
                                           "Content-Type: application/http; msgtype=response"],
                              html))
            emit(out, *record("request", ["WARC-Target-URI: http://example.org/d"],
                              "GET /d HTTP/1.1\r\n\r\n"))


if __name__ == "__main__":
    main()
