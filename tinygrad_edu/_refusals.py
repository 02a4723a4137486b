"""PyTorch names tinygrad_edu refuses on purpose, each with the reason and what to use.

A ported script that reaches for one of them (``torch.sparse_coo_tensor``,
``x.to_sparse()``, ``torch.jit.script``, ``torch.complex64``, ``nn.LSTM``...) gets a
``NotSupportedError`` saying so, instead of a bare AttributeError. The rules are
patterns over names, per namespace; a name that exists is never refused (the lookup only
comes here when normal attribute lookup fails; on Tensor, only the names in
``TENSOR_REFUSED`` are refused). ``tools/api_coverage.py`` uses the same
table to mark names "refused" in ``docs/api_coverage.md``.
"""

from __future__ import annotations

import re
import sys
from typing import Any

ALL = ("torch", "torch.Tensor", "torch.nn", "torch.nn.functional", "torch.optim",
       "torch.utils.data")  # fmt: skip

# (namespaces, name pattern, why and what to use)
RULES: list[tuple[tuple[str, ...], str, str]] = [
    (ALL, r"sparse|coo|csr|csc|bsr|bsc|^to_dense$",
     "sparse tensors are not supported: tensors here are dense NumPy arrays; use dense "
     "tensors"),
    (ALL, r"quantiz|^q_|^qint|^quint|^int_repr$|^Q[A-Z]|^per_channel|^per_tensor|fbgemm",
     "quantization is not supported: compute in float32 or float64"),
    (ALL, r"complex|cfloat|cdouble|chalf|^view_as_real|^polar$|^conj|^resolve_conj|"
          r"^resolve_neg|^is_neg$|^angle$|^real$|^imag$",
     "complex numbers are not supported: keep real and imaginary parts as two real tensors"),
    (ALL, r"bfloat16|BFloat16|float8|^float4|^bits|^uint[1-7]$|^int[1-7]$",
     "this dtype is not supported (NumPy has none): use float32, float64 or an int dtype"),
    (ALL, r"^jit$|^compiler$|^export$|^fx$|^onnx$|^package$|"
          r"^func$|^vmap$|^library$|^ops$|^classes$|^_dynamo",
     "TorchScript, export, FX and function transforms are not supported (torch.compile is: "
     "tinygrad_edu.compile); call the function directly"),
    (ALL, r"^distributed$|^multiprocessing$|^Distributed|DataParallel|SyncBatchNorm|"
          r"^parallel$|^share_memory_$|^is_shared$|^get_worker_info$",
     "distributed and multi-process execution is not supported: run in one process "
     "(DataLoader num_workers=0)"),
    (ALL, r"^Stream$|^Event$|^StreamContext$|^stream$|^record_stream$|^cuda_|^mps$|^mtia$|"
          r"^xpu$|^ipu$|^hpu$|^is_(xpu|mps|ipu|hpu|mtia|maia|vulkan|mkldnn|meta)$|^vulkan|"
          r"mkldnn|miopen|cudnn",
     "there is no accelerator or alternative backend: tinygrad_edu runs on the CPU only "
     "(use device='cpu')"),
    (ALL, r"^amp$|autocast|^GradScaler$",
     "mixed precision is not supported: compute in float32"),
    (ALL, r"^fft$|^stft$|^istft$|^special$",
     "this math namespace is not implemented: use NumPy/SciPy on x.detach().numpy()"),
    (ALL, r"Storage|storage|^data_ptr$|^set_$|dlpack|^untyped",
     "storages are not exposed: the data is a NumPy array (x.numpy() shares it)"),
    (ALL, r"^nested$|^jagged$|^is_nested$|^nested_",
     "nested (ragged) tensors are not supported: pad to a rectangle"),
    (ALL, r"^refine_names$|^rename_?$|^align_to$|^align_as$|^names$|^has_names$",
     "named tensors are not supported: use dimension indices"),
    (ALL, r"^hub$|^distributions$|^testing$",
     "this torch namespace is not part of tinygrad_edu"),
    (ALL, r"^(det|logdet|slogdet|inverse|pinverse|svd|svd_lowrank|pca_lowrank|qr|lu|lu_solve|"
          r"lu_unpack|cholesky|cholesky_inverse|cholesky_solve|lstsq|triangular_solve|geqrf|"
          r"orgqr|ormqr|lobpcg|matrix_exp|nuclear_norm|eig|symeig|matrix_rank)$",
     "matrix decompositions and solvers are not implemented: use numpy.linalg on "
     "x.detach().numpy() (no gradient)"),
    (ALL, r"^(erf|erfc|erfinv|lgamma|digamma|polygamma|mvlgamma|i0|igamma|igammac)_?$",
     "special functions are not implemented (NumPy has none): use scipy.special on "
     "x.detach().numpy() (no gradient)"),
    (ALL, r"^as_strided|^empty_strided$|^empty_permuted$|^from_file$|^frombuffer$|"
          r"^nonzero_static$|^slice_inverse$|^resize_?$|^resize_as_?$|^set_flush_denormal$",
     "raw strides and memory layout are NumPy's here: use reshape / permute / numpy"),
    (("torch",), r"Type$|^Script|^Graph|^Node$|^Block$|^Value$|^Use$|^Code$|^Argument|"
                 r"^FunctionSchema$|^Dispatch|^CompilationUnit$|^ConcreteModuleType|^AliasDb$|"
                 r"^CallStack$|^Capsule$|^Gradient$|^IODescriptor$|^FileCheck$|^ErrorReport$|"
                 r"^ExecutionPlan$|^GraphExecutorState$|^LiteScriptModule$|^StaticModule$|"
                 r"Benchmark|^TracingState$|^Tag$|^parse_|^import_ir_module|^merge_type|"
                 r"^unify_type_list$|^fork$|^wait$|^Future$|^cpp$|^sym_|^Sym|"
                 r"^DisableTorchFunction|^ExcludeDispatchKeyGuard$|^DeepCopyMemoTable$|"
                 r"^PyTorchFile|^AggregationType$|^AVG$|^SUM$|Logger$|^OperatorInfo$|"
                 r"^JITException$|^CompleteArgumentSpec$|^thread_safe_generator$|^hash_tensor$|"
                 r"^get_device_module$|deterministic_debug_mode|^native_|^batch_norm_|^fused_|"
                 r"^choose_qparams|^conv_tbc$|^rnn_|^gru|^lstm|^norm_except_dim$|"
                 r"^embedding_renorm_$|^feature_(alpha_)?dropout_?$|^alpha_dropout_?$|"
                 r"^is_deterministic_algorithms_warn_only_enabled$|^dsmm$|^hsmm$|^hspmm$|"
                 r"^smm$|^saddmm$|^spmm$|^sspaddmm$|^affine_grid_generator$|^grid_sampler",
     "an internal of PyTorch's compiler, dispatcher or backends, not part of tinygrad_edu"),
    (("torch.nn",), r"^Lazy",
     "lazy modules are not supported: give the input size (e.g. nn.Linear(in, out))"),
    (("torch.nn",), r"^(RNN|LSTM|GRU)(Cell|Base|CellBase)?$|^Transformer|^MultiheadAttention$",
     "recurrent and attention layers are not implemented: build them from nn.Linear and "
     "tensor ops"),
    (("torch.nn.functional",), r"^scaled_dot_product_attention$|^multi_head_attention",
     "attention is not implemented: write softmax(q @ k.transpose(-2, -1) / sqrt(d)) @ v"),
]  # fmt: skip

_COMPILED = [(spaces, re.compile(pattern), why) for spaces, pattern, why in RULES]


class NotSupportedError(NotImplementedError, AttributeError):
    """A PyTorch name tinygrad_edu does not support (also an AttributeError, so that
    ``hasattr(torch, name)`` is simply False)."""


def refusal(namespace: str, name: str) -> str | None:
    """Why ``namespace.name`` is refused, or None if no rule covers it."""
    if name.startswith("_"):
        return None
    for spaces, pattern, why in _COMPILED:
        if namespace in spaces and pattern.search(name):
            return why
    return None


def _module_getattr(module_name: str, namespace: str) -> Any:
    def __getattr__(name: str) -> Any:
        why = refusal(namespace, name)
        if why is not None:
            raise NotSupportedError(f"{namespace}.{name} is not supported: {why}")
        raise AttributeError(
            f"module {module_name!r} has no attribute {name!r} (PyTorch's {namespace}.{name} "
            "is not implemented: docs/api_coverage.md lists what is)"
        )

    return __getattr__


#: PyTorch's Tensor attributes that the RULES refuse (tests/test_api_coverage.py checks this
#: list against tools/torch_names.json). Tensor gets one raising descriptor per name rather
#: than a ``__getattr__``: a class with ``__getattr__`` makes every attribute read of every
#: tensor slower (CPython cannot specialise ``x._data`` then), and that is the hot path.
TENSOR_REFUSED = """
    angle as_strided as_strided_ as_strided_scatter bfloat16 cdouble cfloat chalf
    cholesky cholesky_inverse cholesky_solve conj conj_physical conj_physical_ data_ptr
    dequantize det digamma digamma_ eig erf erf_ erfc erfc_ erfinv erfinv_ geqrf i0 i0_
    igamma igamma_ igammac igammac_ imag int_repr inverse ipu is_complex is_ipu is_maia
    is_meta is_mkldnn is_mps is_mtia is_neg is_nested is_quantized is_shared is_sparse
    is_sparse_csr is_vulkan is_xpu istft lgamma lgamma_ logdet lstsq lu lu_solve
    matrix_exp mtia mvlgamma mvlgamma_ nonzero_static orgqr ormqr pinverse polygamma
    polygamma_ q_per_channel_axis q_per_channel_scales q_per_channel_zero_points q_scale
    q_zero_point qr real record_stream resize resize_ resize_as resize_as_
    resize_as_sparse_ resolve_conj resolve_neg set_ share_memory_ slice_inverse slogdet
    sparse_dim sparse_mask sparse_resize_ sparse_resize_and_clear_ stft storage
    storage_offset storage_type svd symeig to_dense to_mkldnn to_sparse to_sparse_bsc
    to_sparse_bsr to_sparse_coo to_sparse_csc to_sparse_csr triangular_solve
    untyped_storage xpu
""".split()  # noqa: SIM905 (a list of 109 names reads better as words)


class _Refused:
    """A Tensor attribute that raises NotSupportedError, saying why (hasattr gives False)."""

    def __init__(self, name: str, why: str) -> None:
        self.name, self.why = name, why

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        raise NotSupportedError(f"Tensor.{self.name} is not supported: {self.why}")


MODULES = {
    "tinygrad_edu": "torch",
    "tinygrad_edu.nn": "torch.nn",
    "tinygrad_edu.nn.functional": "torch.nn.functional",
    "tinygrad_edu.optim": "torch.optim",
    "tinygrad_edu.utils.data": "torch.utils.data",
}


def install() -> None:
    """Give our modules a ``__getattr__``, and Tensor a descriptor per refused name, that
    explain refused names."""
    from tinygrad_edu.tensor import Tensor

    for module_name, namespace in MODULES.items():
        module = sys.modules[module_name]
        if "__getattr__" not in vars(module):  # (a module's own __getattr__ wins)
            module.__getattr__ = _module_getattr(module_name, namespace)
    for name in TENSOR_REFUSED:
        if name not in vars(Tensor):  # a name that exists is never refused
            setattr(Tensor, name, _Refused(name, refusal("torch.Tensor", name)))
