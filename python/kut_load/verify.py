"""Checks that the guest really runs this ELF before any symbols are loaded:
a few windows of its code are compared with target memory. Pure but for the
read function it is given."""

from collections import namedtuple

from .errors import KutLoadError

# Each window is one remote read; two keep a whole kut-load within three.
WINDOW_BYTES = 512


class MismatchError(KutLoadError):
    """Target memory differs from the ELF."""


class Window(namedtuple("Window", "section offset length")):
    """length bytes at offset into an ELF section (the native Section)."""
    __slots__ = ()

    def link_address(self):
        return self.section.address + self.offset


def code_windows(image):
    """Where to compare: the start of the code, and main (what makes a test
    differ from its siblings, which share their start-up code)."""
    code = [s for s in image.sections
            if s.allocated and s.executable and s.has_contents and s.size > 0]
    if not code:
        return []
    first = min(code, key=lambda s: s.address)
    windows = [Window(first, 0, min(first.size, WINDOW_BYTES))]
    main = image.find_symbol("main")
    home = [s for s in code if main and s.address <= main.address < s.address + s.size]
    if home:
        offset = main.address - home[0].address
        main_window = Window(home[0], offset, min(home[0].size - offset, WINDOW_BYTES))
        if home[0].index == first.index and offset <= WINDOW_BYTES:
            # main near the start: one read covers both.
            return [Window(first, 0, max(offset + main_window.length, windows[0].length))]
        windows.append(main_window)
    else:  # no main: the end of the largest code section
        largest = max(code, key=lambda s: s.size)
        length = min(largest.size, WINDOW_BYTES)
        windows.append(Window(largest, largest.size - length, length))
    return windows


def rewritten_bytes(image):
    """Link addresses of bytes the image relocates in itself at run time."""
    word = image.bits // 8
    return {address + i for address in image.relocated_addresses for i in range(word)}


def first_difference(expected, actual, link_address, skip):
    for i, (want, have) in enumerate(zip(expected, actual)):
        if want != have and link_address + i not in skip:
            return i
    return None


def check(image, plan, read_memory, address_given=False):
    """Raises MismatchError naming the file and the first address that differs,
    and blaming the address when the user gave it (address_given)."""
    skip = rewritten_bytes(image)
    for window in code_windows(image):
        expected = image.section_bytes(window.section.index, window.offset, window.length)
        guest_address = window.link_address() + plan.offset
        actual = read_memory(guest_address, len(expected))
        at = first_difference(expected, actual, window.link_address(), skip)
        if at is not None and address_given:
            raise MismatchError(
                "%s does not match the guest's memory at %#x (%s+%#x), so the image does "
                "not start at %#x, the address given; give the address where QEMU loaded "
                "it, or leave --address out to have it found"
                % (plan.elf_path, guest_address + at, window.section.name,
                   window.offset + at, plan.load_address))
        if at is not None:
            raise MismatchError(
                "%s does not match the guest's memory at %#x (%s+%#x): the guest runs "
                "another test or another build of it; pick the right ELF, rebuild, or "
                "use --force" % (plan.elf_path, guest_address + at, window.section.name,
                                 window.offset + at))
