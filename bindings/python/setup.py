"""Builds libdgphone and libdgphone_sim with cargo (setuptools-rust,
bare-cdylib mode: no Python binding in the Rust code) and ships them inside
the package, which loads them with ctypes.

Two adjustments to setuptools-rust's defaults, because the native files are
plain C libraries, not CPython extension modules:
- they keep their platform names (libdgphone.so, dgphone.dll...), without
  the "cpython-311-x86_64-linux-gnu" suffix of an extension module;
- the wheel is tagged py3-none-<platform>: any Python 3, no CPython ABI.

DGPHONE_SKIP_NATIVE_BUILD=1 builds no native code (a development install
that loads the libraries from DGPHONE_LIB_DIR).
"""

import os
import sys

from setuptools import setup
from setuptools_rust import Binding, RustExtension
from setuptools_rust.build import build_rust

try:
    from setuptools.command.bdist_wheel import bdist_wheel  # setuptools >= 70.1
except ImportError:  # pragma: no cover - older setuptools: the wheel package's
    from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def native_name(stem: str) -> str:
    if sys.platform == "win32":
        return f"{stem}.dll"
    if sys.platform == "darwin":
        return f"lib{stem}.dylib"
    return f"lib{stem}.so"


class build_native(build_rust):
    def get_dylib_ext_path(self, ext, target_fname):  # type: ignore[no-untyped-def]
        path = super().get_dylib_ext_path(ext, target_fname)
        return os.path.join(os.path.dirname(path), native_name(target_fname.rsplit(".", 1)[-1]))


class bdist_wheel_py3_none(bdist_wheel):
    def finalize_options(self) -> None:
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):  # type: ignore[no-untyped-def]
        _, _, platform = super().get_tag()
        return "py3", "none", platform


extensions = []
if os.environ.get("DGPHONE_SKIP_NATIVE_BUILD") != "1":
    extensions = [
        RustExtension(
            "dgphone.dgphone",
            path=os.path.join(ROOT, "Cargo.toml"),
            binding=Binding.NoBinding,
            py_limited_api=False,
        ),
        RustExtension(
            "dgphone.dgphone_sim",
            path=os.path.join(ROOT, "sim", "Cargo.toml"),
            binding=Binding.NoBinding,
            py_limited_api=False,
        ),
    ]

setup(
    rust_extensions=extensions,
    cmdclass={"build_rust": build_native, "bdist_wheel": bdist_wheel_py3_none},
)
