"""Finds and imports the native helper at first use, and explains a mismatch.

The module is looked for beside this package (an installed copy) and then in
build/native of the checkout this package lives in; KUT_LOAD_NATIVE_DIR, when
set, names the only directory to look in (e.g. a sanitizer build's).
"""

import importlib
import importlib.machinery
import os
import sys

from kut_load.errors import KutLoadError

MODULE_NAME = "_kut_native"
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
CHECKOUT_DIR = os.path.dirname(os.path.dirname(PACKAGE_DIR))
BUILD_DIR = os.path.join(CHECKOUT_DIR, "build", "native")

_module = None


class NativeModuleError(KutLoadError):
    """The native helper is missing or was built for another Python."""


class _NotLoaded(Exception):
    """Stands for ElfError before the native module is imported: nothing raises it."""


def elf_error():
    """The native module's ElfError (a damaged or foreign file), to catch by name."""
    return _module.ElfError if _module is not None else _NotLoaded


def search_dirs():
    # Exclusive, so a checking build is never silently swapped for the normal one.
    override = os.environ.get("KUT_LOAD_NATIVE_DIR")
    if override:
        return [override]
    return [PACKAGE_DIR, BUILD_DIR]


def _python_of(filename):
    """'Python 3.12' for _kut_native.cpython-312-x86_64-linux-gnu.so, or the file name."""
    parts = os.path.basename(filename).split(".")[1].split("-")
    if len(parts) > 1 and parts[0] == "cpython" and parts[1].isdigit():
        return "Python %s.%s" % (parts[1][0], parts[1][1:])
    return os.path.basename(filename)


def _rebuild_hint():
    if not os.path.isfile(os.path.join(CHECKOUT_DIR, "CMakeLists.txt")):
        return "reinstall kut-load built for the Python this gdb embeds"
    return ("rebuild it with: cmake -S %s -B %s && cmake --build %s"
            % (CHECKOUT_DIR, os.path.join(CHECKOUT_DIR, "build"),
               os.path.join(CHECKOUT_DIR, "build")))


def load():
    """Returns the imported native module, importing it on the first call."""
    global _module
    if _module is not None:
        return _module
    for directory in search_dirs():
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(directory, MODULE_NAME + suffix)
            if os.path.isfile(path):
                _module = _import_file(path)
                return _module
    built_for = [path for directory in search_dirs()
                 for path in _modules_for_other_pythons(directory)]
    running = "Python %d.%d" % sys.version_info[:2]
    if built_for:
        raise NativeModuleError(
            "kut-load's native module %s was built for %s, but this gdb embeds %s; %s."
            % (built_for[0], _python_of(built_for[0]), running, _rebuild_hint()))
    raise NativeModuleError(
        "kut-load's native module is not built (looked in %s); %s."
        % (" and ".join(search_dirs()), _rebuild_hint()))


def _modules_for_other_pythons(directory):
    import glob  # only to explain a failure: kept off the path of every kut-load
    return glob.glob(os.path.join(directory, MODULE_NAME + ".*.so"))


def _import_file(path):
    # Python's own import steps, from path's directory alone: a module built with
    # pybind11 3 (multi-phase initialization) fails when the loader is driven by
    # hand, and importlib.util would be one more import at every first kut-load.
    sys.path.insert(0, os.path.dirname(path))
    try:
        return importlib.import_module(MODULE_NAME)
    except (ImportError, SystemError) as error:
        sys.modules.pop(MODULE_NAME, None)
        # The loader's own words, on one line.
        raise NativeModuleError(
            "kut-load's native module %s cannot be loaded (%s); %s."
            % (path, " ".join(str(error).split()), _rebuild_hint())) from None
    finally:
        sys.path.remove(os.path.dirname(path))
