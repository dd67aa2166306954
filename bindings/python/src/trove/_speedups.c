/*
 * trove._speedups: the four hot calls of trove.Cache (get, put, delete, contains, and
 * their mapping forms) as a C base class, so a cache hit costs one C-level method call
 * instead of a ctypes call's per-argument conversion. A put with tags is handed back to
 * Python (CacheMethods._put_tagged): only the untagged put is hot.
 *
 * Optional: when it cannot be compiled, trove/_hot_ctypes.py provides the same class in
 * Python, and tests/ run against both. It does not link to libtrove.so: trove's loader
 * (ctypes) finds and loads the library, and _attach() takes the functions' addresses
 * from it. Everything Python-specific that is not hot (key encoding other than bytes and
 * str, TTL conversion, building the exception for a status) is delegated back to the
 * same Python functions the ctypes path uses, so both behave identically.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>

typedef int (*trove_get_fn)(void *, const void *, size_t, void *, size_t, size_t *);
typedef int (*trove_put_fn)(void *, const void *, size_t, const void *, size_t, uint64_t);
typedef int (*trove_key_fn)(void *, const void *, size_t);

/* Status codes from include/trove.h. */
enum { TROVE_OK = 0, TROVE_NOT_FOUND = 1, TROVE_EBUFSIZE = -3 };

/* A get first copies into this much stack; a larger value costs one more call. */
#define RECEIVE_BYTES 4096

/* Python helpers shared with the ctypes path, set once by configure(). */
static PyObject *key_bytes_function;
static PyObject *value_bytes_function;
static PyObject *ttl_function;

typedef struct {
    PyObject_HEAD
    void *handle;
    PyObject *library; /* trove._loader.Library: error(status) builds exceptions */
    trove_get_fn get;
    trove_put_fn put;
    trove_key_fn remove;
    trove_key_fn contains;
} Calls;

/* A key's bytes: borrowed from bytes or str (its cached UTF-8), else from *owner. */
typedef struct {
    const char *data;
    Py_ssize_t length;
    PyObject *owner;
} KeyView;

static int key_view(PyObject *key, KeyView *view) {
    view->owner = NULL;
    if (PyBytes_Check(key)) {
        view->data = PyBytes_AS_STRING(key);
        view->length = PyBytes_GET_SIZE(key);
        return 0;
    }
    if (PyUnicode_Check(key)) {
        view->data = PyUnicode_AsUTF8AndSize(key, &view->length);
        return view->data == NULL ? -1 : 0;
    }
    view->owner = PyObject_CallOneArg(key_bytes_function, key); /* raises TypeError for the rest */
    if (view->owner == NULL) return -1;
    view->data = PyBytes_AS_STRING(view->owner);
    view->length = PyBytes_GET_SIZE(view->owner);
    return 0;
}

/* Sets the TroveError subclass for a negative status, with this thread's last error. */
static void raise_status(Calls *self, int status) {
    PyObject *error = PyObject_CallMethod(self->library, "error", "i", status);
    if (error != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(error), error);
        Py_DECREF(error);
    }
}

static int unattached(Calls *self) {
    if (self->library != NULL) return 0;
    PyErr_SetString(PyExc_ValueError, "the cache is not open");
    return 1;
}

/* The value of key; on a miss, `missing` (a new reference) or KeyError when it is NULL. */
static PyObject *fetch(Calls *self, PyObject *key, PyObject *missing) {
    if (unattached(self)) return NULL;
    KeyView view;
    if (key_view(key, &view) < 0) return NULL;
    char receive[RECEIVE_BYTES];
    size_t length = 0;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = self->get(self->handle, view.data, (size_t)view.length, receive, sizeof receive, &length);
    Py_END_ALLOW_THREADS
    PyObject *result = NULL;
    if (status == TROVE_OK) {
        result = PyBytes_FromStringAndSize(receive, (Py_ssize_t)length);
    }
    /* Retry at the size the library reported; again only if the value grew meanwhile. */
    while (status == TROVE_EBUFSIZE) {
        size_t capacity = length;
        PyObject *value = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)capacity);
        if (value == NULL) break;
        char *into = PyBytes_AS_STRING(value);
        Py_BEGIN_ALLOW_THREADS
        status = self->get(self->handle, view.data, (size_t)view.length, into, capacity, &length);
        Py_END_ALLOW_THREADS
        if (status == TROVE_OK) {
            /* The value may have shrunk since the first call; _PyBytes_Resize frees on failure. */
            if (length == capacity || _PyBytes_Resize(&value, (Py_ssize_t)length) == 0) result = value;
            break;
        }
        Py_DECREF(value);
    }
    if (result == NULL && !PyErr_Occurred()) {
        if (status == TROVE_NOT_FOUND) {
            if (missing != NULL) result = Py_NewRef(missing);
            else PyErr_SetObject(PyExc_KeyError, key);
        } else if (status != TROVE_OK && status != TROVE_EBUFSIZE) {
            raise_status(self, status);
        }
    }
    Py_XDECREF(view.owner);
    return result;
}

/* put with ttl_ms already converted. Returns 0, or -1 with an exception set. */
static int store(Calls *self, PyObject *key, PyObject *value, uint64_t ttl_ms) {
    if (unattached(self)) return -1;
    PyObject *owned_value = NULL;
    if (!PyBytes_Check(value)) {
        owned_value = PyObject_CallOneArg(value_bytes_function, value); /* copies or raises TypeError */
        if (owned_value == NULL) return -1;
        value = owned_value;
    }
    KeyView view;
    if (key_view(key, &view) < 0) {
        Py_XDECREF(owned_value);
        return -1;
    }
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = self->put(self->handle, view.data, (size_t)view.length, PyBytes_AS_STRING(value),
                       (size_t)PyBytes_GET_SIZE(value), ttl_ms);
    Py_END_ALLOW_THREADS
    Py_XDECREF(view.owner);
    Py_XDECREF(owned_value);
    if (status != TROVE_OK) {
        raise_status(self, status);
        return -1;
    }
    return 0;
}

/* trove_delete or trove_contains: 1 found, 0 not found, -1 with an exception set. */
static int key_call(Calls *self, trove_key_fn function, PyObject *key) {
    if (unattached(self)) return -1;
    KeyView view;
    if (key_view(key, &view) < 0) return -1;
    int status;
    Py_BEGIN_ALLOW_THREADS
    status = function(self->handle, view.data, (size_t)view.length);
    Py_END_ALLOW_THREADS
    Py_XDECREF(view.owner);
    if (status < 0) {
        raise_status(self, status);
        return -1;
    }
    return status == TROVE_OK;
}

/* Parses (key, optional second argument) given positionally or by `name`. */
static int two_arguments(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, const char *function,
                         const char *name, PyObject **key, PyObject **second) {
    Py_ssize_t keywords = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    if (nargs < 1 || nargs + keywords > 2 || (nargs == 2 && keywords > 0)) {
        PyErr_Format(PyExc_TypeError, "%s() takes a key and an optional %s", function, name);
        return -1;
    }
    *key = args[0];
    if (keywords == 1) {
        if (!PyUnicode_Check(PyTuple_GET_ITEM(kwnames, 0)) ||
            PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), name) != 0) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument %R", function,
                         PyTuple_GET_ITEM(kwnames, 0));
            return -1;
        }
        *second = args[1];
    } else if (nargs == 2) {
        *second = args[1];
    }
    return 0;
}

static PyObject *Calls_get(Calls *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    PyObject *key, *fallback = Py_None;
    if (two_arguments(args, nargs, kwnames, "get", "default", &key, &fallback) < 0) return NULL;
    return fetch(self, key, fallback);
}

static PyObject *Calls_put(Calls *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
    static const char *names[] = {"key", "value", "ttl", "tags"};
    PyObject *given[4] = {NULL, NULL, Py_None, Py_None};
    Py_ssize_t keywords = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    if (nargs > 4) {
        PyErr_SetString(PyExc_TypeError, "put() takes a key, a value, an optional ttl and optional tags");
        return NULL;
    }
    for (Py_ssize_t index = 0; index < nargs; index++) given[index] = args[index];
    for (Py_ssize_t index = 0; index < keywords; index++) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, index);
        int slot = -1;
        for (int candidate = 0; candidate < 4; candidate++) {
            if (PyUnicode_CompareWithASCIIString(name, names[candidate]) == 0) slot = candidate;
        }
        if (slot < 0 || slot < nargs) {
            PyErr_Format(PyExc_TypeError, "put() got an unexpected or repeated keyword argument %R", name);
            return NULL;
        }
        given[slot] = args[nargs + index];
    }
    if (given[0] == NULL || given[1] == NULL) {
        PyErr_SetString(PyExc_TypeError, "put() takes a key, a value, an optional ttl and optional tags");
        return NULL;
    }
    /* Tags: the rare path, in Python (CacheMethods._put_tagged), which converts and checks them. */
    if (given[3] != Py_None) {
        return PyObject_CallMethod((PyObject *)self, "_put_tagged", "OOOO", given[0], given[1], given[2], given[3]);
    }
    uint64_t ttl_ms = 0;
    if (given[2] != Py_None) {
        PyObject *milliseconds = PyObject_CallOneArg(ttl_function, given[2]); /* validates */
        if (milliseconds == NULL) return NULL;
        ttl_ms = PyLong_AsUnsignedLongLong(milliseconds);
        Py_DECREF(milliseconds);
        if (PyErr_Occurred()) return NULL;
    }
    if (store(self, given[0], given[1], ttl_ms) < 0) return NULL;
    Py_RETURN_NONE;
}

static PyObject *Calls_delete(Calls *self, PyObject *key) {
    int found = key_call(self, self->remove, key);
    return found < 0 ? NULL : PyBool_FromLong(found);
}

static PyObject *Calls_contains_method(Calls *self, PyObject *key) {
    int found = key_call(self, self->contains, key);
    return found < 0 ? NULL : PyBool_FromLong(found);
}

static int Calls_contains(Calls *self, PyObject *key) { return key_call(self, self->contains, key); }

static PyObject *Calls_subscript(Calls *self, PyObject *key) { return fetch(self, key, NULL); }

static int Calls_assign(Calls *self, PyObject *key, PyObject *value) {
    if (value != NULL) return store(self, key, value, 0);
    int found = key_call(self, self->remove, key);
    if (found == 0) PyErr_SetObject(PyExc_KeyError, key);
    return found == 1 ? 0 : -1;
}

static void *function_address(PyObject *library, const char *name) {
    PyObject *address = PyObject_CallMethod(library, "address", "s", name);
    if (address == NULL) return NULL;
    void *pointer = PyLong_AsVoidPtr(address);
    Py_DECREF(address);
    return pointer;
}

static PyObject *Calls_attach(Calls *self, PyObject *args) {
    PyObject *library, *handle;
    if (!PyArg_ParseTuple(args, "OO:_attach", &library, &handle)) return NULL;
    if (self->library != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the cache is already attached to a handle");
        return NULL;
    }
    void *pointer = PyLong_AsVoidPtr(handle);
    if (pointer == NULL && PyErr_Occurred()) return NULL;
    trove_get_fn get = (trove_get_fn)function_address(library, "trove_get");
    trove_put_fn put = get ? (trove_put_fn)function_address(library, "trove_put") : NULL;
    trove_key_fn remove = put ? (trove_key_fn)function_address(library, "trove_delete") : NULL;
    trove_key_fn contains = remove ? (trove_key_fn)function_address(library, "trove_contains") : NULL;
    if (contains == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "a trove function has a NULL address");
        return NULL;
    }
    self->handle = pointer;
    self->get = get;
    self->put = put;
    self->remove = remove;
    self->contains = contains;
    self->library = Py_NewRef(library);
    Py_RETURN_NONE;
}

static PyObject *Calls_handle(Calls *self, void *closure) {
    (void)closure;
    return PyLong_FromVoidPtr(self->handle);
}

static int Calls_traverse(Calls *self, visitproc visit, void *arg) {
    Py_VISIT(self->library);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int Calls_clear(Calls *self) {
    Py_CLEAR(self->library);
    return 0;
}

static void Calls_dealloc(Calls *self) {
    PyTypeObject *type = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Calls_clear(self);
    type->tp_free((PyObject *)self);
    Py_DECREF(type);
}

static PyMethodDef Calls_methods[] = {
    {"get", (PyCFunction)(void (*)(void))Calls_get, METH_FASTCALL | METH_KEYWORDS,
     "get(key, default=None)\n--\n\nThe value cached under key, or default when absent or expired."},
    {"put", (PyCFunction)(void (*)(void))Calls_put, METH_FASTCALL | METH_KEYWORDS,
     "put(key, value, ttl=None, tags=None)\n--\n\nCaches value under key for ttl seconds (None: until evicted), "
     "carrying tags (an iterable of bytes or str; None: none)."},
    {"delete", (PyCFunction)Calls_delete, METH_O,
     "delete(key)\n--\n\nRemoves key; returns whether it was cached."},
    {"contains", (PyCFunction)Calls_contains_method, METH_O,
     "contains(key)\n--\n\nWhether key is cached and unexpired, without counting a hit or miss."},
    {"_attach", (PyCFunction)Calls_attach, METH_VARARGS,
     "_attach(library, handle)\n--\n\nBinds these calls to an open handle of a loaded library. Once."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Calls_getset[] = {
    {"_handle", (getter)Calls_handle, NULL, "The trove_t handle, as an int.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef Calls_members[] = {
    {"_library", T_OBJECT, offsetof(Calls, library), READONLY, "The loaded library."},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot Calls_slots[] = {
    {Py_tp_doc, "The hot calls of trove.Cache, in C: get, put, delete, contains and the mapping forms."},
    {Py_tp_new, PyType_GenericNew},
    {Py_tp_dealloc, Calls_dealloc},
    {Py_tp_traverse, Calls_traverse},
    {Py_tp_clear, Calls_clear},
    {Py_tp_methods, Calls_methods},
    {Py_tp_getset, Calls_getset},
    {Py_tp_members, Calls_members},
    {Py_mp_subscript, Calls_subscript},
    {Py_mp_ass_subscript, Calls_assign},
    {Py_sq_contains, Calls_contains},
    {0, NULL},
};

static PyType_Spec Calls_spec = {
    .name = "trove._speedups.Calls",
    .basicsize = sizeof(Calls),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = Calls_slots,
};

static PyObject *configure(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *key_bytes, *value_bytes, *ttl;
    if (!PyArg_ParseTuple(args, "OOO:configure", &key_bytes, &value_bytes, &ttl)) return NULL;
    Py_XSETREF(key_bytes_function, Py_NewRef(key_bytes));
    Py_XSETREF(value_bytes_function, Py_NewRef(value_bytes));
    Py_XSETREF(ttl_function, Py_NewRef(ttl));
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(key_bytes, value_bytes, ttl_milliseconds)\n--\n\n"
     "Sets the Python conversions used for keys other than bytes and str, values other "
     "than bytes, and TTLs. Called once by trove._calls before any Calls is used."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "trove._speedups",
    .m_doc = "C versions of trove.Cache's hot calls; optional (see trove._calls).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL) return NULL;
    PyObject *type = PyType_FromSpec(&Calls_spec);
    if (type == NULL || PyModule_AddObject(module, "Calls", type) < 0) {
        Py_XDECREF(type);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
