/* The inner loops of grouping, compiled: candidate pairs from an inverted index and average linkage
 * over a sparse graph (custlens.cluster), and average linkage of vectors over candidate pairs
 * (custlens.semantic). Both modules have the same steps in numpy and use them when this module was
 * not built; both give the same results (tests/test_cluster.py and tests/test_semantic.py compare them).
 *
 * Plain C over the buffer protocol: arrays come in as contiguous int64 / float64 buffers and go back
 * as bytes, so no numpy headers are needed to build it. The GIL is released while the loops run.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double value;
    int64_t col;
} Cand;

/* Strict order: higher value first, then the lower column. */
static inline int before(const Cand *x, const Cand *y) {
    return x->value > y->value || (x->value == y->value && x->col < y->col);
}

static inline void swap(Cand *x, Cand *y) {
    Cand t = *x;
    *x = *y;
    *y = t;
}

/* Whether every one of x[0..count) is in [lo, hi]. */
static int in_range(const int64_t *x, int64_t count, int64_t lo, int64_t hi) {
    for (int64_t k = 0; k < count; k++)
        if (x[k] < lo || x[k] > hi) return 0;
    return 1;
}

/* Rearranges c[0..m) so that its first `top` entries are the `top` best (in any order). */
static void select_best(Cand *c, int64_t m, int64_t top) {
    int64_t lo = 0, hi = m - 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        /* median of three to the end, as pivot */
        if (before(&c[mid], &c[lo])) swap(&c[mid], &c[lo]);
        if (before(&c[hi], &c[lo])) swap(&c[hi], &c[lo]);
        if (before(&c[mid], &c[hi])) swap(&c[mid], &c[hi]);
        Cand pivot = c[hi];
        int64_t store = lo;
        for (int64_t k = lo; k < hi; k++) {
            if (before(&c[k], &pivot)) {
                swap(&c[k], &c[store]);
                store++;
            }
        }
        swap(&c[store], &c[hi]);
        if (store == top || store == top - 1) return;
        if (store < top) lo = store + 1;
        else hi = store - 1;
    }
}

typedef struct {
    Py_buffer view;
    int held;
} Buf;

static int get_buf(PyObject *obj, Buf *b, Py_ssize_t itemsize, const char *name) {
    if (PyObject_GetBuffer(obj, &b->view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    b->held = 1;
    if (b->view.len % itemsize != 0) {
        PyErr_Format(PyExc_ValueError, "%s: buffer length is not a multiple of %zd", name, itemsize);
        return -1;
    }
    return 0;
}

static void release(Buf *bufs, int count) {
    for (int k = 0; k < count; k++)
        if (bufs[k].held) PyBuffer_Release(&bufs[k].view);
}

typedef struct {
    int64_t *rows, *cols;
    double *sims;
    int64_t len, cap;
} Out;

static int out_push(Out *o, int64_t row, int64_t col, double sim) {
    if (o->len == o->cap) {
        int64_t cap = o->cap ? o->cap * 2 : 1 << 16;
        int64_t *r = realloc(o->rows, cap * sizeof(int64_t));
        if (!r) return -1;
        o->rows = r;
        int64_t *c = realloc(o->cols, cap * sizeof(int64_t));
        if (!c) return -1;
        o->cols = c;
        double *s = realloc(o->sims, cap * sizeof(double));
        if (!s) return -1;
        o->sims = s;
        o->cap = cap;
    }
    o->rows[o->len] = row;
    o->cols[o->len] = col;
    o->sims[o->len] = sim;
    o->len++;
    return 0;
}

static const char candidates_doc[] =
    "candidates(q_indptr, q_indices, q_data, p_indptr, p_indices, p_data, c_indptr, c_indices, c_data,\n"
    "           q_offset, n_targets, n_common, pre, top, minimum, skip_self) -> (rows, cols, sims) as bytes\n\n"
    "For each query row r (id q_offset + r): the dot product with every target that shares a feature\n"
    "(q: CSR rows; p: for each feature, its targets and values, targets ascending). Where a row has\n"
    "more than `pre` targets (pre > 0), only the `pre` best by that product are kept; where c_indptr is\n"
    "not empty, they get the product of their common features (c: CSR rows over all ids) added. Then\n"
    "targets under `minimum` are dropped and, with top > 0, the `top` best kept. Best: higher value,\n"
    "then lower id.";

static PyObject *candidates(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *objs[9];
    Py_ssize_t q_offset, n_targets, n_common, pre, top;
    double minimum;
    int skip_self;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOnnnnndp", &objs[0], &objs[1], &objs[2], &objs[3], &objs[4], &objs[5],
                          &objs[6], &objs[7], &objs[8], &q_offset, &n_targets, &n_common, &pre, &top, &minimum,
                          &skip_self))
        return NULL;
    Buf bufs[9];
    memset(bufs, 0, sizeof bufs);
    static const char *names[9] = {"q_indptr", "q_indices", "q_data", "p_indptr", "p_indices",
                                   "p_data",   "c_indptr",  "c_indices", "c_data"};
    for (int k = 0; k < 9; k++) {
        Py_ssize_t size = (k % 3 == 2) ? sizeof(double) : sizeof(int64_t);
        if (get_buf(objs[k], &bufs[k], size, names[k]) < 0) {
            release(bufs, 9);
            return NULL;
        }
    }
    const int64_t *q_indptr = bufs[0].view.buf, *q_indices = bufs[1].view.buf;
    const double *q_data = bufs[2].view.buf;
    const int64_t *p_indptr = bufs[3].view.buf, *p_indices = bufs[4].view.buf;
    const double *p_data = bufs[5].view.buf;
    const int64_t *c_indptr = bufs[6].view.buf, *c_indices = bufs[7].view.buf;
    const double *c_data = bufs[8].view.buf;
    int64_t n_queries = bufs[0].view.len / (Py_ssize_t)sizeof(int64_t) - 1;
    int64_t n_features = bufs[3].view.len / (Py_ssize_t)sizeof(int64_t) - 1;
    int has_common = bufs[6].view.len > 0;
    int64_t n_ids = q_offset + n_queries > n_targets ? q_offset + n_queries : n_targets;
    if (has_common && bufs[6].view.len / (Py_ssize_t)sizeof(int64_t) < n_ids + 1) {
        release(bufs, 9);
        PyErr_SetString(PyExc_ValueError, "candidates: the common rows do not cover every id");
        return NULL;
    }

    double *acc = calloc(n_targets > 0 ? n_targets : 1, sizeof(double));
    char *seen = calloc(n_targets > 0 ? n_targets : 1, 1);
    int64_t *touched = malloc((n_targets > 0 ? n_targets : 1) * sizeof(int64_t));
    Cand *cand = malloc((n_targets > 0 ? n_targets : 1) * sizeof(Cand));
    double *common_row = has_common ? calloc(n_common > 0 ? n_common : 1, sizeof(double)) : NULL;
    Out out = {0};
    int failed = !acc || !seen || !touched || !cand || (has_common && !common_row) || n_queries < 0 ||
                 n_features < 0;
    int bad_index = 0;

    Py_BEGIN_ALLOW_THREADS
    if (!failed) {
        /* every index is checked once here, so the loops below need not */
        bad_index = !in_range(q_indptr, n_queries + 1, 0, bufs[1].view.len / 8) ||
                    !in_range(q_indices, bufs[1].view.len / 8, 0, n_features - 1) ||
                    !in_range(p_indptr, n_features + 1, 0, bufs[4].view.len / 8) ||
                    !in_range(p_indices, bufs[4].view.len / 8, 0, n_targets - 1) ||
                    bufs[2].view.len != bufs[1].view.len || bufs[5].view.len != bufs[4].view.len;
        if (has_common)
            bad_index = bad_index || !in_range(c_indptr, n_ids + 1, 0, bufs[7].view.len / 8) ||
                        !in_range(c_indices, bufs[7].view.len / 8, 0, n_common - 1) ||
                        bufs[8].view.len != bufs[7].view.len;
    }
    if (!has_common && pre > 0) {
        /* with nothing to add after it, keeping the `pre` best, dropping those under `minimum` and
         * keeping the `top` best is keeping the min(pre, top) best over `minimum`: one selection */
        top = top > 0 && top < pre ? top : pre;
        pre = 0;
    }
    for (int64_t r = 0; r < n_queries && !failed && !bad_index; r++) {
        int64_t self_id = q_offset + r;
        int64_t m = 0;
        for (int64_t a = q_indptr[r]; a < q_indptr[r + 1]; a++) {
            int64_t f = q_indices[a];
            double v = q_data[a];
            for (int64_t b = p_indptr[f]; b < p_indptr[f + 1]; b++) {
                int64_t t = p_indices[b];
                if (!seen[t]) {
                    seen[t] = 1;
                    touched[m++] = t;
                }
                acc[t] += v * p_data[b];
            }
        }
        int64_t kept = 0;
        for (int64_t k = 0; k < m; k++) {
            int64_t t = touched[k];
            if (skip_self && t == self_id) continue;
            cand[kept].value = acc[t];
            cand[kept].col = t;
            kept++;
        }
        for (int64_t k = 0; k < m; k++) {
            acc[touched[k]] = 0.0;
            seen[touched[k]] = 0;
        }
        if (pre > 0 && kept > pre) {
            select_best(cand, kept, pre);
            kept = pre;
        }
        if (has_common) {
            for (int64_t a = c_indptr[self_id]; a < c_indptr[self_id + 1]; a++) common_row[c_indices[a]] = c_data[a];
            for (int64_t k = 0; k < kept; k++) {
                int64_t t = cand[k].col;
                double extra = 0.0;
                for (int64_t a = c_indptr[t]; a < c_indptr[t + 1]; a++) extra += c_data[a] * common_row[c_indices[a]];
                cand[k].value += extra;
            }
            for (int64_t a = c_indptr[self_id]; a < c_indptr[self_id + 1]; a++) common_row[c_indices[a]] = 0.0;
        }
        int64_t good = 0;
        for (int64_t k = 0; k < kept; k++)
            if (cand[k].value >= minimum) cand[good++] = cand[k];
        if (top > 0 && good > top) {
            select_best(cand, good, top);
            good = top;
        }
        for (int64_t k = 0; k < good; k++) {
            if (out_push(&out, self_id, cand[k].col, cand[k].value) < 0) {
                failed = 1;
                break;
            }
        }
    }
    Py_END_ALLOW_THREADS

    free(acc);
    free(seen);
    free(touched);
    free(cand);
    free(common_row);
    release(bufs, 9);
    PyObject *result = NULL;
    if (bad_index) PyErr_SetString(PyExc_IndexError, "candidates: a feature or target id is out of range");
    else if (failed) PyErr_NoMemory();
    else
        result = Py_BuildValue("(y#y#y#)", out.len ? (const char *)out.rows : "", (Py_ssize_t)(out.len * sizeof(int64_t)),
                               out.len ? (const char *)out.cols : "", (Py_ssize_t)(out.len * sizeof(int64_t)),
                               out.len ? (const char *)out.sims : "", (Py_ssize_t)(out.len * sizeof(double)));
    free(out.rows);
    free(out.cols);
    free(out.sims);
    return result;
}

/* --- average linkage -------------------------------------------------------------------------- */

typedef struct {
    int64_t *keys; /* lo * n + hi, or -1 */
    int64_t *slot; /* index into the edge arrays */
    int64_t mask;
} Table;

static inline uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Where pair (x, y) is in the table of a round's pairs (open addressing): its slot, or the free slot
   where it goes. The pair in order goes to *lo and *hi, and its key to *key. */
static inline uint64_t pair_slot(const Table *table, int64_t x, int64_t y, int64_t n, int64_t *lo, int64_t *hi,
                                 int64_t *key) {
    *lo = x < y ? x : y;
    *hi = x < y ? y : x;
    *key = *lo * n + *hi;
    uint64_t h = mix((uint64_t)*key) & (uint64_t)table->mask;
    while (table->keys[h] != -1 && table->keys[h] != *key) h = (h + 1) & (uint64_t)table->mask;
    return h;
}

/* Clears the marks of a round's nodes: the ends of its `live` edges. */
static inline void unmark(char *marks, const int64_t *a, const int64_t *b, int64_t live) {
    for (int64_t e = 0; e < live; e++) {
        marks[a[e]] = 0;
        marks[b[e]] = 0;
    }
}

static inline void clear_table(Table *table) {
    for (int64_t k = 0; k <= table->mask; k++) table->keys[k] = -1;
}

static const char linkage_doc[] =
    "average_linkage(weights, a, b, s, threshold) -> roots as bytes (int64)\n\n"
    "The same rounds as custlens.cluster.average_linkage: every group whose best partner (highest\n"
    "average, ties to the lower node) also has it as its best merges with it while that average is at\n"
    "least `threshold`; a group whose best is under it is set aside. Pairs (a[k], b[k]) must be distinct.";

static PyObject *average_linkage(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *objs[4];
    long long threshold;
    if (!PyArg_ParseTuple(args, "OOOOL", &objs[0], &objs[1], &objs[2], &objs[3], &threshold)) return NULL;
    Buf bufs[4];
    memset(bufs, 0, sizeof bufs);
    for (int k = 0; k < 4; k++) {
        if (get_buf(objs[k], &bufs[k], sizeof(int64_t), "linkage input") < 0) {
            release(bufs, 4);
            return NULL;
        }
    }
    int64_t n = bufs[0].view.len / (Py_ssize_t)sizeof(int64_t);
    int64_t edges = bufs[1].view.len / (Py_ssize_t)sizeof(int64_t);
    if (bufs[2].view.len != bufs[1].view.len || bufs[3].view.len != bufs[1].view.len) {
        release(bufs, 4);
        PyErr_SetString(PyExc_ValueError, "average_linkage: a, b and s differ in length");
        return NULL;
    }
    const int64_t *weights = bufs[0].view.buf, *in_a = bufs[1].view.buf, *in_b = bufs[2].view.buf,
                  *in_s = bufs[3].view.buf;
    for (int64_t e = 0; e < edges; e++) {
        if (in_a[e] < 0 || in_a[e] >= n || in_b[e] < 0 || in_b[e] >= n) {
            release(bufs, 4);
            PyErr_SetString(PyExc_IndexError, "average_linkage: a node id is out of range");
            return NULL;
        }
    }
    size_t cap = (size_t)(edges > 0 ? edges : 1);
    int64_t *size = malloc((n > 0 ? n : 1) * sizeof(int64_t));
    int64_t *parent = malloc((n > 0 ? n : 1) * sizeof(int64_t));
    int64_t *best = malloc((n > 0 ? n : 1) * sizeof(int64_t));
    double *best_value = malloc((n > 0 ? n : 1) * sizeof(double));
    int64_t *relabel = malloc((n > 0 ? n : 1) * sizeof(int64_t));
    char *dead = calloc(n > 0 ? n : 1, 1);
    char *handled = calloc(n > 0 ? n : 1, 1);
    int64_t *a = malloc(cap * sizeof(int64_t)), *b = malloc(cap * sizeof(int64_t)), *total = malloc(cap * sizeof(int64_t));
    int64_t *na = malloc(cap * sizeof(int64_t)), *nb = malloc(cap * sizeof(int64_t)), *ntotal = malloc(cap * sizeof(int64_t));
    int64_t table_size = 1;
    while (table_size < 2 * (int64_t)cap) table_size <<= 1;
    Table table = {malloc(table_size * sizeof(int64_t)), malloc(table_size * sizeof(int64_t)), table_size - 1};
    int failed = !size || !parent || !best || !best_value || !relabel || !dead || !handled || !a || !b || !total || !na || !nb ||
                 !ntotal || !table.keys || !table.slot;

    if (!failed) {
        Py_BEGIN_ALLOW_THREADS
        for (int64_t k = 0; k < n; k++) {
            size[k] = weights[k];
            parent[k] = k;
            relabel[k] = k;
        }
        for (int64_t e = 0; e < edges; e++) {
            a[e] = in_a[e];
            b[e] = in_b[e];
            total[e] = in_s[e] * size[a[e]] * size[b[e]];
        }
        int64_t live = edges;
        while (live > 0) {
            for (int64_t e = 0; e < live; e++) {
                best[a[e]] = -1;
                best[b[e]] = -1;
            }
            for (int64_t e = 0; e < live; e++) {
                double average = (double)total[e] / (double)(size[a[e]] * size[b[e]]);
                int64_t ends[2] = {a[e], b[e]}, others[2] = {b[e], a[e]};
                for (int side = 0; side < 2; side++) {
                    int64_t x = ends[side], y = others[side];
                    if (best[x] < 0 || average > best_value[x] || (average == best_value[x] && y < best[x])) {
                        best[x] = y;
                        best_value[x] = average;
                    }
                }
            }
            /* each node once: mutual best partners merge into the lower one; a node whose best is
             * under the threshold is set aside, and its edges go */
            int64_t merges = 0;
            for (int64_t e = 0; e < live; e++) {
                int64_t ends[2] = {a[e], b[e]};
                for (int side = 0; side < 2; side++) {
                    int64_t x = ends[side], y = best[x];
                    if (handled[x]) continue;
                    handled[x] = 1;
                    if (best_value[x] < (double)threshold) {
                        dead[x] = 1;
                    } else if (x < y && best[y] == x) {
                        parent[y] = x;
                        size[x] += size[y];
                        relabel[y] = x;
                        merges++;
                    }
                }
            }
            unmark(handled, a, b, live);
            if (!merges) break;
            /* edges between what is left, parallel ones summed */
            clear_table(&table);
            int64_t kept = 0;
            for (int64_t e = 0; e < live; e++) {
                int64_t x = relabel[a[e]], y = relabel[b[e]];
                if (x == y || dead[x] || dead[y]) continue;
                int64_t lo, hi, key;
                uint64_t h = pair_slot(&table, x, y, n, &lo, &hi, &key);
                if (table.keys[h] == key) {
                    ntotal[table.slot[h]] += total[e];
                } else {
                    table.keys[h] = key;
                    table.slot[h] = kept;
                    na[kept] = lo;
                    nb[kept] = hi;
                    ntotal[kept] = total[e];
                    kept++;
                }
            }
            /* relabel is reset for the next round: merged nodes point at their keeper in `parent` */
            for (int64_t e = 0; e < live; e++) {
                relabel[a[e]] = a[e];
                relabel[b[e]] = b[e];
            }
            int64_t *swap_ptr;
            swap_ptr = a; a = na; na = swap_ptr;
            swap_ptr = b; b = nb; nb = swap_ptr;
            swap_ptr = total; total = ntotal; ntotal = swap_ptr;
            live = kept;
        }
        for (int64_t k = 0; k < n; k++) {
            int64_t r = k;
            while (parent[r] != r) r = parent[r];
            int64_t x = k;
            while (parent[x] != r) {
                int64_t next = parent[x];
                parent[x] = r;
                x = next;
            }
        }
        Py_END_ALLOW_THREADS
    }
    PyObject *result = failed ? PyErr_NoMemory()
                              : PyBytes_FromStringAndSize((const char *)parent, (Py_ssize_t)(n * sizeof(int64_t)));
    free(size);
    free(parent);
    free(best);
    free(best_value);
    free(relabel);
    free(dead);
    free(handled);
    free(a);
    free(b);
    free(total);
    free(na);
    free(nb);
    free(ntotal);
    free(table.keys);
    free(table.slot);
    release(bufs, 4);
    return result;
}

/* --- average linkage of vectors ----------------------------------------------------------------- */

static inline int64_t dot(const int64_t *x, const int64_t *y, int64_t d) {
    int64_t total = 0;
    for (int64_t k = 0; k < d; k++) total += x[k] * y[k];
    return total;
}

static const char vector_linkage_doc[] =
    "vector_linkage(vectors, weights, a, b, dimensions, threshold) -> (keep, gone, sims, rounds) as bytes\n\n"
    "The same rounds as custlens.semantic.vector_linkage: average linkage of integer vectors over the\n"
    "candidate pairs (a[k], b[k]) (distinct, a < b). The average similarity of two groups is the dot\n"
    "product of their vector sums over the product of their sizes, computed exactly. Every group whose\n"
    "best candidate (highest average, ties to the lower node) also has it as its best merges with it\n"
    "while that average is at least `threshold`; a group whose best is under it is set aside. Merged\n"
    "groups inherit both candidate lists. Returns each merge (kept node, merged node, average, round).";

static PyObject *vector_linkage(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *objs[4];
    long long dims_in;
    double threshold;
    if (!PyArg_ParseTuple(args, "OOOOLd", &objs[0], &objs[1], &objs[2], &objs[3], &dims_in, &threshold)) return NULL;
    Buf bufs[4];
    memset(bufs, 0, sizeof bufs);
    Py_ssize_t sizes[4] = {sizeof(int16_t), sizeof(int64_t), sizeof(int64_t), sizeof(int64_t)};
    for (int k = 0; k < 4; k++) {
        if (get_buf(objs[k], &bufs[k], sizes[k], "vector_linkage input") < 0) {
            release(bufs, 4);
            return NULL;
        }
    }
    int64_t d = dims_in;
    int64_t n = bufs[1].view.len / (Py_ssize_t)sizeof(int64_t);
    int64_t edges = bufs[2].view.len / (Py_ssize_t)sizeof(int64_t);
    if (d <= 0 || bufs[0].view.len != (Py_ssize_t)(n * d * (int64_t)sizeof(int16_t)) || bufs[3].view.len != bufs[2].view.len) {
        release(bufs, 4);
        PyErr_SetString(PyExc_ValueError, "vector_linkage: vectors, weights, a and b do not fit together");
        return NULL;
    }
    const int16_t *vectors = bufs[0].view.buf;
    const int64_t *weights = bufs[1].view.buf, *in_a = bufs[2].view.buf, *in_b = bufs[3].view.buf;
    for (int64_t e = 0; e < edges; e++) {
        if (in_a[e] < 0 || in_a[e] >= n || in_b[e] < 0 || in_b[e] >= n || in_a[e] >= in_b[e]) {
            release(bufs, 4);
            PyErr_SetString(PyExc_IndexError, "vector_linkage: a pair is out of range or not a < b");
            return NULL;
        }
    }
    size_t cap = (size_t)(edges > 0 ? edges : 1), nn = (size_t)(n > 0 ? n : 1);
    int64_t *sums = malloc(nn * (size_t)d * sizeof(int64_t));
    int64_t *size = malloc(nn * sizeof(int64_t));
    int64_t *best = malloc(nn * sizeof(int64_t));
    double *best_value = malloc(nn * sizeof(double));
    int64_t *relabel = malloc(nn * sizeof(int64_t));
    char *dead = calloc(nn, 1), *handled = calloc(nn, 1), *changed = calloc(nn, 1);
    int64_t *a = malloc(cap * sizeof(int64_t)), *b = malloc(cap * sizeof(int64_t));
    int64_t *na = malloc(cap * sizeof(int64_t)), *nb = malloc(cap * sizeof(int64_t));
    double *sim = malloc(cap * sizeof(double)), *nsim = malloc(cap * sizeof(double));
    int64_t *keep = malloc(nn * sizeof(int64_t)), *gone = malloc(nn * sizeof(int64_t)), *when = malloc(nn * sizeof(int64_t));
    double *merged_at = malloc(nn * sizeof(double));
    int64_t table_size = 1;
    while (table_size < 2 * (int64_t)cap) table_size <<= 1;
    Table table = {malloc(table_size * sizeof(int64_t)), malloc(table_size * sizeof(int64_t)), table_size - 1};
    int failed = !sums || !size || !best || !best_value || !relabel || !dead || !handled || !changed || !a || !b ||
                 !na || !nb || !sim || !nsim || !keep || !gone || !when || !merged_at || !table.keys || !table.slot;
    int64_t count = 0;

    if (!failed) {
        Py_BEGIN_ALLOW_THREADS
        for (int64_t k = 0; k < n; k++) {
            size[k] = weights[k];
            relabel[k] = k;
            for (int64_t j = 0; j < d; j++) sums[k * d + j] = (int64_t)vectors[k * d + j] * weights[k];
        }
        for (int64_t e = 0; e < edges; e++) {
            a[e] = in_a[e];
            b[e] = in_b[e];
            sim[e] = (double)dot(sums + a[e] * d, sums + b[e] * d, d) / ((double)size[a[e]] * (double)size[b[e]]);
        }
        int64_t live = edges, round = 0;
        while (live > 0) {
            round++;
            for (int64_t e = 0; e < live; e++) {
                best[a[e]] = -1;
                best[b[e]] = -1;
            }
            for (int64_t e = 0; e < live; e++) {
                int64_t ends[2] = {a[e], b[e]}, others[2] = {b[e], a[e]};
                for (int side = 0; side < 2; side++) {
                    int64_t x = ends[side], y = others[side];
                    if (best[x] < 0 || sim[e] > best_value[x] || (sim[e] == best_value[x] && y < best[x])) {
                        best[x] = y;
                        best_value[x] = sim[e];
                    }
                }
            }
            int64_t merges = 0;
            for (int64_t e = 0; e < live; e++) {
                int64_t ends[2] = {a[e], b[e]};
                for (int side = 0; side < 2; side++) {
                    int64_t x = ends[side], y = best[x];
                    if (handled[x]) continue;
                    handled[x] = 1;
                    if (best_value[x] < threshold) {
                        dead[x] = 1;
                    } else if (x < y && best[y] == x) {
                        for (int64_t j = 0; j < d; j++) sums[x * d + j] += sums[y * d + j];
                        size[x] += size[y];
                        relabel[y] = x;
                        changed[x] = 1;
                        keep[count] = x;
                        gone[count] = y;
                        merged_at[count] = best_value[x];
                        when[count] = round;
                        count++;
                        merges++;
                    }
                }
            }
            unmark(handled, a, b, live);
            if (!merges) break;
            /* pairs between what is left, each once; averages again where a side grew */
            clear_table(&table);
            int64_t kept = 0;
            for (int64_t e = 0; e < live; e++) {
                int64_t x = relabel[a[e]], y = relabel[b[e]];
                if (x == y || dead[x] || dead[y]) continue;
                int64_t lo, hi, key;
                uint64_t h = pair_slot(&table, x, y, n, &lo, &hi, &key);
                if (table.keys[h] == key) continue;
                table.keys[h] = key;
                table.slot[h] = kept;
                na[kept] = lo;
                nb[kept] = hi;
                nsim[kept] = changed[lo] || changed[hi]
                                 ? (double)dot(sums + lo * d, sums + hi * d, d) / ((double)size[lo] * (double)size[hi])
                                 : sim[e];
                kept++;
            }
            for (int64_t e = 0; e < live; e++) {
                relabel[a[e]] = a[e];
                relabel[b[e]] = b[e];
                changed[a[e]] = 0;
                changed[b[e]] = 0;
            }
            int64_t *swap_ptr;
            double *swap_sim;
            swap_ptr = a; a = na; na = swap_ptr;
            swap_ptr = b; b = nb; nb = swap_ptr;
            swap_sim = sim; sim = nsim; nsim = swap_sim;
            live = kept;
        }
        Py_END_ALLOW_THREADS
    }
    PyObject *result = NULL;
    if (failed) {
        PyErr_NoMemory();
    } else {
        result = Py_BuildValue("(y#y#y#y#)", (const char *)keep, (Py_ssize_t)(count * sizeof(int64_t)), (const char *)gone,
                               (Py_ssize_t)(count * sizeof(int64_t)), (const char *)merged_at,
                               (Py_ssize_t)(count * sizeof(double)), (const char *)when,
                               (Py_ssize_t)(count * sizeof(int64_t)));
    }
    free(sums);
    free(size);
    free(best);
    free(best_value);
    free(relabel);
    free(dead);
    free(handled);
    free(changed);
    free(a);
    free(b);
    free(na);
    free(nb);
    free(sim);
    free(nsim);
    free(keep);
    free(gone);
    free(when);
    free(merged_at);
    free(table.keys);
    free(table.slot);
    release(bufs, 4);
    return result;
}

static PyMethodDef methods[] = {
    {"candidates", candidates, METH_VARARGS, candidates_doc},
    {"average_linkage", average_linkage, METH_VARARGS, linkage_doc},
    {"vector_linkage", vector_linkage, METH_VARARGS, vector_linkage_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "custlens.pipeline.engines._native",
                                    "Compiled inner loops of custlens.cluster and custlens.semantic.", -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
