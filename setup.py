"""The compiled inner loops of grouping (custlens.pipeline.engines._native) are optional: where no C compiler is found,
custlens installs anyway and groups with the numpy code that gives the same results, only slower (`custlens --version`
says which is in use, and a report command says so on stderr when it grouped without them).

Two environment variables change that, for builds that must be one or the other:
- CUSTLENS_NO_NATIVE=1 builds without the compiled module (a pure-Python wheel; CI tests the numpy path this way);
- CUSTLENS_REQUIRE_NATIVE=1 makes a failed compilation an error (the release's platform wheels must contain it).
"""

import os

from setuptools import Extension, setup


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


if _flag("CUSTLENS_NO_NATIVE") and _flag("CUSTLENS_REQUIRE_NATIVE"):
    raise SystemExit("CUSTLENS_NO_NATIVE and CUSTLENS_REQUIRE_NATIVE are both set: choose one")

setup(
    ext_modules=[]
    if _flag("CUSTLENS_NO_NATIVE")
    else [
        Extension(
            "custlens.pipeline.engines._native",
            ["src/custlens/pipeline/engines/_native.c"],
            optional=not _flag("CUSTLENS_REQUIRE_NATIVE"),
            extra_compile_args=[] if os.name == "nt" else ["-O3"],
        )
    ]
)
