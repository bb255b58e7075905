"""Checks that the guest really runs this ELF before any symbols are loaded:
a window of its code around main is compared with target memory. Pure but for
the read function it is given."""

from kut_load.errors import KutLoadError

# Each window is one remote read: QEMU's stub answers up to 2 KiB of memory
# in one packet (MAX_PACKET_LENGTH 4096, hex-encoded, in QEMU's gdbstub).
WINDOW_BYTES = 0x400
# How much of the window at main comes before it: code the test links beside main.
BEFORE_MAIN = 0x100


class MismatchError(KutLoadError):
    """Target memory differs from the ELF: fact says where, advice what to do
    (left out of --force's warning, which does it)."""

    def __init__(self, fact, advice):
        super().__init__("%s; %s" % (fact, advice))
        self.fact = fact


class Window:
    """length bytes at offset into an ELF section (the native Section). A plain
    class: defining a namedtuple at import costs about 0.1 ms of every kut-load."""
    __slots__ = ("section", "offset", "length")

    def __init__(self, section, offset, length):
        self.section = section
        self.offset = offset
        self.length = length

    def link_address(self):
        return self.section.address + self.offset


def code_sections(image):
    return [s for s in image.sections
            if s.allocated and s.executable and s.has_contents and s.size > 0]


def start_of_code(image):
    """The executable section with the lowest link address, or None."""
    code = code_sections(image)
    return min(code, key=lambda s: s.address) if code else None


def code_address(image, symbol):
    """Where a function's code is. In big-endian ppc64 (ELFv1) a function's
    symbol is its descriptor in .opd, whose first word is the code address."""
    if symbol is None:
        return None
    opd = [s for s in image.sections if s.name == ".opd" and s.has_contents
           and s.address <= symbol.address < s.address + s.size]
    if not opd:
        return symbol.address
    word = image.section_bytes(opd[0].index, symbol.address - opd[0].address, image.bits // 8)
    return int.from_bytes(word, "little" if image.little_endian else "big")


def code_windows(image):
    """Where to compare: one window holding main and the code around it. main
    is what tells a test from its siblings (they share their start-up code and
    library), and its bytes at the computed address prove the offset too.
    Without a main, the start of the code and the end of the largest code
    section."""
    code = code_sections(image)
    if not code:
        return []
    main = code_address(image, image.find_symbol("main"))
    home = [s for s in code if main is not None and s.address <= main < s.address + s.size]
    if home:
        section = home[0]
        length = min(section.size, WINDOW_BYTES)
        offset = min(max(0, main - section.address - BEFORE_MAIN), section.size - length)
        return [Window(section, offset, length)]
    first = start_of_code(image)
    largest = max(code, key=lambda s: s.size)
    length = min(largest.size, WINDOW_BYTES)
    return [Window(first, 0, min(first.size, WINDOW_BYTES)),
            Window(largest, largest.size - length, length)]


def rewritten_bytes(image, windows):
    """Link addresses of the bytes inside windows that the image relocates in
    itself at run time: the words its relocations write, also one that starts
    before a window and reaches into it."""
    word = image.bits // 8
    return {address + i
            for w in windows
            for address in image.relocated_between(max(0, w.link_address() - word + 1),
                                                   w.link_address() + w.length)
            for i in range(word)}


def first_difference(expected, actual, link_address, skip):
    if expected == actual:  # the usual case, without a step per byte
        return None
    for i, (want, have) in enumerate(zip(expected, actual)):
        if want != have and link_address + i not in skip:
            return i
    return None


def check(image, plan, read_memory, address_given=False):
    """Raises MismatchError naming the file and the first address that differs,
    and blaming the address when the user gave it (address_given)."""
    windows = code_windows(image)
    skip = rewritten_bytes(image, windows)
    for window in windows:
        expected = image.section_bytes(window.section.index, window.offset, window.length)
        guest_address = window.link_address() + plan.offset
        actual = read_memory(guest_address, len(expected))
        at = first_difference(expected, actual, window.link_address(), skip)
        if at is not None and address_given:
            raise MismatchError(
                "%s does not match the guest's memory at %#x (%s+%#x), so the image does "
                "not start at %#x, the address given"
                % (plan.elf_path, guest_address + at, window.section.name,
                   window.offset + at, plan.load_address),
                "give the address where QEMU loaded it, or leave --address out to have "
                "it found")
        if at is not None:
            raise MismatchError(
                "%s does not match the guest's memory at %#x (%s+%#x): the guest runs "
                "another test or another build of it" % (plan.elf_path, guest_address + at,
                                                         window.section.name, window.offset + at),
                "pick the right ELF, rebuild, or use --force")
