// json_shim.cc - json_shim.h over simdjson's DOM API.  Every entry point
// catches every exception; simdjson's own errors come back as codes.

#include "json_shim.h"

#include <cstring>
#include <new>
#include <string_view>

#include <simdjson.h>

struct json_fast {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    bool ok = false;
};

#define SHIM_STR(x) #x
#define SHIM_XSTR(x) SHIM_STR(x)

extern "C" const char *json_fast_version(void)
{
    return SHIM_XSTR(SIMDJSON_VERSION);  // a bare token: 3.0.1
}

extern "C" json_fast *json_fast_new(void)
{
    try {
        return new (std::nothrow) json_fast();
    } catch (...) {
        return nullptr;
    }
}

extern "C" void json_fast_free(json_fast *j)
{
    delete j;
}

// Whether jansson takes what simdjson took: it refuses an integer beyond
// int64_t ("too big integer") and a NUL byte in an object key.  Such a text
// goes to jansson, so that every verb reads a line alike.
static bool jansson_takes(simdjson::dom::element e)
{
    simdjson::dom::array arr;
    simdjson::dom::object obj;
    switch (e.type()) {
    case simdjson::dom::element_type::UINT64:
        return false;
    case simdjson::dom::element_type::ARRAY:
        if (e.get_array().get(arr))
            return false;
        for (simdjson::dom::element x : arr)
            if (!jansson_takes(x))
                return false;
        return true;
    case simdjson::dom::element_type::OBJECT:
        if (e.get_object().get(obj))
            return false;
        for (simdjson::dom::key_value_pair field : obj)
            if (field.key.find('\0') != std::string_view::npos || !jansson_takes(field.value))
                return false;
        return true;
    default:
        return true;
    }
}

extern "C" bool json_fast_parse(json_fast *j, const char *s, size_t len)
{
    try {
        j->ok = false;
        // realloc_if_needed: the text is copied into simdjson's padded
        // buffer, so it need not be padded itself.
        simdjson::error_code e = j->parser.parse(s, len, true).get(j->doc);
        j->ok = !e && j->doc.is_object() && jansson_takes(j->doc);
        return j->ok;
    } catch (...) {
        j->ok = false;
        return false;
    }
}

// The last field called `key` of an object into *out; false if none.
static bool last_field(simdjson::dom::object obj, std::string_view key, simdjson::dom::element *out)
{
    bool found = false;
    for (auto field : obj) {
        if (field.key == key) {
            *out = field.value;
            found = true;
        }
    }
    return found;
}

extern "C" json_fast_value json_fast_get(const json_fast *j, const char *path)
{
    json_fast_value out;
    std::memset(&out, 0, sizeof out);
    try {
        if (!j->ok)
            return out;
        simdjson::dom::element v = j->doc;
        const char *p = path;
        while (*p) {
            simdjson::dom::object obj;
            if (v.get_object().get(obj))
                return out;
            size_t n = std::strcspn(p, ".");
            if (last_field(obj, std::string_view(p), &v))
                break;  // the whole rest is one key
            if (!last_field(obj, std::string_view(p, n), &v))
                return out;
            p += n;
            if (*p == '.')
                p++;
        }
        switch (v.type()) {
        case simdjson::dom::element_type::STRING: {
            std::string_view s = v.get_string().value_unsafe();
            out.kind = JSON_FAST_STRING;
            out.s = s.data();
            out.len = s.size();
            break;
        }
        case simdjson::dom::element_type::INT64:
            out.kind = JSON_FAST_INT;
            out.i = v.get_int64().value_unsafe();
            break;
        case simdjson::dom::element_type::DOUBLE:
            out.kind = JSON_FAST_REAL;
            out.d = v.get_double().value_unsafe();
            break;
        case simdjson::dom::element_type::ARRAY:
            out.kind = JSON_FAST_ARRAY;
            break;
        case simdjson::dom::element_type::OBJECT:
            out.kind = JSON_FAST_OBJECT;
            break;
        default:
            out.kind = JSON_FAST_OTHER;
            break;
        }
        return out;
    } catch (...) {
        std::memset(&out, 0, sizeof out);
        return out;
    }
}
