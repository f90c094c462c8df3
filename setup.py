"""The compiled inner loops of grouping (custlens.pipeline.engines._native) are optional: where no C compiler is found,
custlens installs anyway and groups with the numpy code that gives the same results, only slower."""

import os

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "custlens.pipeline.engines._native",
            ["src/custlens/pipeline/engines/_native.c"],
            optional=True,
            extra_compile_args=[] if os.name == "nt" else ["-O3"],
        )
    ]
)
