# The compiled inner loops of custlens.cluster and custlens.semantic (src/custlens/_native.c); see their docstrings there.

def candidates(
    q_indptr: object, q_indices: object, q_data: object,
    p_indptr: object, p_indices: object, p_data: object,
    c_indptr: object, c_indices: object, c_data: object,
    q_offset: int, n_targets: int, n_common: int, pre: int, top: int, minimum: float, skip_self: bool,
    /,
) -> tuple[bytes, bytes, bytes]: ...

def average_linkage(weights: object, a: object, b: object, s: object, threshold: int, /) -> bytes: ...

def vector_linkage(
    vectors: object, weights: object, a: object, b: object, dimensions: int, threshold: float, /
) -> tuple[bytes, bytes, bytes, bytes]: ...
