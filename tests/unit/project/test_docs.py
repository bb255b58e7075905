"""The README and docs/ agree with the tree and with the commands' own help:
links lead somewhere, the modules they name exist, every package is in the
README's architecture table, and each command's options are documented,
and only options it has."""

import glob
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

README = os.path.join(REPO, "README.md")
DOCS = os.path.join(REPO, "docs")
PYTHON = os.path.join(REPO, "python")

# Where each gdb command's options are documented: (page, its "## " section).
GDB_COMMAND_PAGES = {
    "kut-load": ("docs/kut-load.md", "kut-load"),
    "kut-break-fail": ("docs/kut-load.md", "kut-break-fail"),
}
# Options docs/kut-debug.md names that belong to other programs, not kut-debug.
FOREIGN_KUT_DEBUG_OPTIONS = {
    "--enable-efi",   # kvm-unit-tests' ./configure
    "--foreground",   # timeout(1), in a log's command line
}

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# python/kut_load/load/planner.py, kut_debug/record/, kut_load
MODULE_PATH = re.compile(r"(?<![\w./-])((?:python/)?kut_(?:load|debug)(?:/[\w.-]+)*/?)")
# kut_load.efi.start
DOTTED_MODULE = re.compile(r"(?<![\w./-])(kut_(?:load|debug)(?:\.[a-z_]\w*)+)")
# native/elf_image.cpp, tests/e2e/kut_break_fail/test_every_arch.py, .ci/run, docs/tests.md
TREE_PATH = re.compile(r"(?<![\w./-])((?:native|tests|\.ci|docs)/[\w./-]*)")
# ARCH, TARGET, X.efi, T.rr: names that stand for any
PLACEHOLDER = re.compile(r"(?<![A-Za-z])(ARCH|TARGET|TEST|FILE|DIR|X|T|N)(?![A-Za-z])")
LONG_OPTION = re.compile(r"(?<![\w-])(--[a-z][\w-]*)")


def pages():
    return [README] + sorted(glob.glob(os.path.join(DOCS, "*.md")))


def relative(path):
    return os.path.relpath(path, REPO)


def read(path):
    with open(path, encoding="utf-8") as text:
        return text.read()


def prose(text):
    """text without its indented code blocks and inline code."""
    lines = [line for line in text.splitlines() if not line.startswith("    ")]
    return re.sub(r"`[^`\n]*`", "", "\n".join(lines))


def slug(heading):
    """The anchor GitHub gives a heading."""
    text = heading.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    found, seen = set(), {}
    for line in read(path).splitlines():
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else "%s-%d" % (base, count))
    return found


def section(text, title):
    """The lines of text's "## title" section, up to the next "## " heading."""
    lines = text.splitlines()
    start = lines.index("## " + title)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    return "\n".join(lines[start:end])


def help_options(help_text, header):
    """The options a help text lists in its section that starts with the line
    header (argparse's "options:", gdb help's "Options:")."""
    lines = help_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == header)
    options = set()
    for line in lines[start + 1:]:
        if not line.strip() or not line.startswith(" "):
            break
        # "  -v, --verbose   Show", "  --at N        Stop", "  --breakpoints Use"
        match = re.match(r"^  ((?:-{1,2}[A-Za-z][\w-]*(?:[ =][A-Z][A-Z|]*(?=\s|$))?,?\s?)+)",
                         line)
        if match:
            options.update(re.findall(r"-{1,2}[A-Za-z][\w-]*", match.group(1)))
    assert options, "no options found under %r in:\n%s" % (header, help_text)
    return options


def named(option, text):
    return re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(option), text) is not None


def clean_env():
    """The environment without a sanitizer's preloaded runtime (.ci/asan's)."""
    env = dict(os.environ)
    for name in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
        env.pop(name, None)
    return env


# (a) links


@pytest.mark.parametrize("page", pages(), ids=relative)
def test_relative_links_lead_to_files_and_headings(page):
    wrong = []
    for target in LINK.findall(prose(read(page))):
        if re.match(r"^[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        destination = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        if not os.path.exists(destination):
            wrong.append("%s: no such file" % target)
        elif anchor and destination.endswith(".md") and anchor not in anchors(destination):
            wrong.append("%s: %s has no heading with that anchor" % (target, relative(destination)))
    assert not wrong, "%s links nowhere:\n%s" % (relative(page), "\n".join(wrong))


# (b) module paths, the architecture table


def module_file(name):
    """The file or folder under the checkout a module path names, or None."""
    name = name.rstrip(".,")
    path = os.path.join(REPO, name) if name.startswith("python/") else os.path.join(PYTHON, name)
    return path if os.path.exists(path) else None


@pytest.mark.parametrize("page", pages(), ids=relative)
def test_named_modules_and_files_exist(page):
    text = read(page)
    missing = [name for name in MODULE_PATH.findall(text) if module_file(name) is None]
    for dotted in DOTTED_MODULE.findall(text):
        path = os.path.join(PYTHON, *dotted.split("."))
        if not (os.path.isfile(path + ".py") or os.path.isdir(path)):
            missing.append(dotted)
    for name in TREE_PATH.findall(text):
        name = name.rstrip(".,")
        if not PLACEHOLDER.search(name) and not os.path.exists(os.path.join(REPO, name)):
            missing.append(name)
    assert not missing, "%s names what is not in the tree: %s" % (relative(page), missing)


def architecture_rows():
    """(paths of the first cell, text of the second) for each row of the
    README's "## Architecture" table."""
    rows = []
    for line in section(read(README), "Architecture").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or set(cells[0]) <= set("-: "):
            continue
        paths = re.findall(r"`([^`]+)`", cells[0])
        if paths:
            rows.append((paths, "|".join(cells[1:])))
    assert rows, "README.md has no architecture table"
    return rows


def test_architecture_table_paths_exist():
    missing = []
    for paths, what in architecture_rows():
        missing += [path for path in paths if not os.path.exists(os.path.join(REPO, path))]
        folders = [path for path in paths if os.path.isdir(os.path.join(REPO, path))]
        for name in re.findall(r"`([^`\s]+)`", what):
            # A file or folder named in a row lies in the row's folder.
            if not folders or not re.match(r"^([\w.-]+\.(py|cpp|h|md)|[\w.-]+/)$", name):
                continue
            if not any(os.path.exists(os.path.join(REPO, folder, name)) for folder in folders):
                missing.append("%s (in %s)" % (name, " or ".join(folders)))
    assert not missing, "README.md's architecture table names what is not there: %s" % missing


def test_every_package_is_in_the_architecture_table():
    listed = {os.path.normpath(path) for paths, _ in architecture_rows() for path in paths}
    packages = sorted(relative(os.path.dirname(init)) for init in
                      glob.glob(os.path.join(PYTHON, "**", "__init__.py"), recursive=True))
    assert packages
    missing = [package for package in packages if package not in listed]
    assert not missing, "packages missing from README.md's architecture table: %s" % missing


# (c) kut-debug's options


@pytest.fixture(scope="module")
def kut_debug_help():
    result = subprocess.run([sys.executable, os.path.join(PYTHON, "kut-debug"), "--help"],
                            capture_output=True, text=True, timeout=60, env=clean_env())
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_kut_debug_option_is_documented(kut_debug_help):
    page = read(os.path.join(DOCS, "kut-debug.md"))
    header = "options:" if "\noptions:\n" in kut_debug_help else "optional arguments:"
    missing = sorted(option for option in help_options(kut_debug_help, header)
                     if not named(option, page))
    assert not missing, "docs/kut-debug.md does not name %s" % missing


def test_kut_debug_page_names_only_kut_debug_options(kut_debug_help):
    header = "options:" if "\noptions:\n" in kut_debug_help else "optional arguments:"
    known = help_options(kut_debug_help, header) | FOREIGN_KUT_DEBUG_OPTIONS
    unknown = sorted(set(LONG_OPTION.findall(read(os.path.join(DOCS, "kut-debug.md")))) - known)
    assert not unknown, "docs/kut-debug.md names options kut-debug --help does not: %s" % unknown


# (d) the gdb commands' options


@pytest.fixture(scope="module")
def gdb_help():
    """{command: its `help` text} from gdb-multiarch with the checkout's gdbinit."""
    if shutil.which("gdb-multiarch") is None:
        pytest.skip("gdb-multiarch is not installed")
    separator = "----- kut-load docs test -----"
    argv = ["gdb-multiarch", "-nx", "-batch", "-x", os.path.join(REPO, "gdbinit")]
    for command in GDB_COMMAND_PAGES:
        argv += ["-ex", "echo %s\\n" % separator, "-ex", "help " + command]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                            env=clean_env(), stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    texts = result.stdout.split(separator + "\n")[1:]
    assert len(texts) == len(GDB_COMMAND_PAGES), result.stdout + result.stderr
    return dict(zip(GDB_COMMAND_PAGES, texts))


@pytest.mark.parametrize("command", sorted(GDB_COMMAND_PAGES))
def test_gdb_command_options_match_their_page(command, gdb_help):
    page, title = GDB_COMMAND_PAGES[command]
    documented = section(read(os.path.join(REPO, page)), title)
    listed = help_options(gdb_help[command], "Options:")
    missing = sorted(option for option in listed if not named(option, documented))
    unknown = sorted(set(LONG_OPTION.findall(documented)) - listed)
    assert not missing, "%s's section %r does not name %s" % (page, title, missing)
    assert not unknown, ("%s's section %r names options `help %s` does not list: %s"
                         % (page, title, command, unknown))


# The README's marked commands, which CI runs


def test_every_command_ci_runs_is_marked_in_the_readme():
    names = set()
    for script in glob.glob(os.path.join(REPO, ".ci", "*")):
        names.update(re.findall(r"readme-command (\w[\w-]*)", read(script)))
    assert names
    lines = read(README).splitlines()
    for name in sorted(names):
        marker = "<!-- command: %s -->" % name
        assert marker in lines, "README.md lost the marker %s that .ci runs" % marker
        after = lines[lines.index(marker) + 1]
        assert re.match(r"^    \S", after), "%s is not followed by an indented command" % marker
