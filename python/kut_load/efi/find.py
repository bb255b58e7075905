"""EFI test images: finds where the firmware loaded X.efi while it runs.

Nobody chooses that address in advance and no boot code of QEMU's leads to
it, so two ways are tried, each ending with X.efi's headers and code
compared with guest memory:
1. the firmware's debug tables: the EFI_SYSTEM_TABLE_POINTER on a 4 MiB
   boundary of RAM (searched from the top down), the system table, its
   EFI_DEBUG_IMAGE_INFO_TABLE, and each loaded image's ImageBase/ImageSize;
2. the CPUs: a running test's pc is inside its image, so the page-aligned
   PE header is at most SizeOfImage below it.
Only RAM is read when QEMU's monitor says where RAM is: the pointers followed
come from the guest, and a read of device memory can have side effects.
"""

from kut_load.efi import tables
from kut_load.finders.load_address import DetectionError, LoadAddress
from kut_load.efi.ram import parse_ram_ranges
from kut_load.errors import TargetError
from kut_load.image.verify import MismatchError

PAGE = 0x1000
# The header is compared up to this many bytes (kvm-unit-tests: one page).
HEADER_BYTES = 0x1000
# Code is compared whole up to this size (about 40 ms of reads): tests share
# their start-up code and often their sizes, so a part would not tell them apart.
CODE_BYTES = 256 << 10
# Bound on the 4 MiB boundaries probed: 16 GiB of RAM.
MAX_POINTER_PROBES = 4096
POINTER_CHUNK = 0x1000


class GuestMemory:
    """Reads of guest memory that fail softly, and only inside RAM if it is known."""

    def __init__(self, target, ram):
        self.target = target
        self.ram = ram          # [(start, end)], or [] when QEMU did not say

    def in_ram(self, address, length):
        return not self.ram or any(start <= address and address + length <= end
                                   for start, end in self.ram)

    def read(self, address, length):
        """Bytes at address, or None where the guest has nothing readable."""
        if address < 0 or length <= 0 or not self.in_ram(address, length):
            return None
        try:
            data = self.target.read_memory(address, length)
        except TargetError:
            return None
        return data if len(data) == length else None


def find(target, efi):
    """LoadAddress of the image efi (files.EfiImage) in the guest."""
    listing = []
    memory = GuestMemory(target, parse_ram_ranges(target.monitor("info mtree -f") or ""))
    found = (from_debug_table(memory, efi, listing)
             or from_cpu_pcs(memory, target, efi, listing))
    if found is None:
        raise DetectionError(
            "could not find %s in guest memory (neither in the firmware's debug image "
            "table nor below a CPU's pc); is the test running? Give the address with "
            "--address" % efi.pe_path, listing)
    return found


def check(target, efi, base):
    """Raises MismatchError unless X.efi's headers and code are at base."""
    mismatch = matches_image(GuestMemory(target, []), efi, base)
    if mismatch is not None:
        raise MismatchError("the guest's memory at %#x is not %s: %s"
                            % (base, efi.pe_path, mismatch),
                            "pick the right file, rebuild, or use --force")


def matches_image(memory, efi, base):
    """None if X.efi's headers and code are at base, else what differs."""
    header = efi.header
    length = min(header.size_of_headers, HEADER_BYTES, len(efi.contents))
    loaded = memory.read(base, length)
    if loaded is None:
        return "cannot read its header"
    # The firmware writes the address it chose into the ImageBase field.
    field_offset, field_size = header.image_base_field
    field = slice(field_offset, field_offset + field_size)
    expected, loaded = bytearray(efi.bytes_at(0, length)), bytearray(loaded)
    expected[field] = bytes(len(expected[field]))
    loaded[field] = bytes(len(loaded[field]))
    if loaded != expected:
        return "its PE header differs from %s" % efi.pe_path
    for section in header.sections:
        if not section.executable:
            continue
        offset, length = section.file_span()
        code = efi.bytes_at(offset, min(length, CODE_BYTES))
        if code and memory.read(base + section.rva, len(code)) != code:
            return "its %s differs from %s" % (section.name, efi.pe_path)
    return None


def from_debug_table(memory, efi, listing):
    if not memory.ram:
        listing.append("QEMU's monitor listed no RAM: skipped the firmware's tables")
        return None
    systab = find_system_table(memory, listing)
    if systab is None:
        return None
    wanted = {efi.header.size_of_image, align_up(efi.header.size_of_image, PAGE)}
    seen = 0
    for base, size in debug_table_images(memory, systab, listing):
        seen += 1
        if size not in wanted:
            continue
        mismatch = matches_image(memory, efi, base)
        listing.append("image at %#x, %#x bytes: %s"
                       % (base, size, mismatch or "matches %s" % efi.pe_path))
        if mismatch is None:
            return LoadAddress(base, "found in the firmware's debug image table "
                               "(EFI system table at %#x)" % systab.address, listing)
    listing.append("none of the %d images in the debug image table is %s"
                   % (seen, efi.pe_path))
    return None


def find_system_table(memory, listing):
    """The SystemTable named by the topmost EFI_SYSTEM_TABLE_POINTER in RAM."""
    step = tables.SYSTEM_TABLE_POINTER_ALIGNMENT
    probes = 0
    for start, end in reversed(memory.ram):
        address = align_down(end - tables.SYSTEM_TABLE_POINTER_SIZE, step)
        while address >= start and probes < MAX_POINTER_PROBES:
            probes += 1
            pointer = memory.read(address, tables.SYSTEM_TABLE_POINTER_SIZE)
            systab_address = pointer and tables.system_table_address(pointer)
            if systab_address:
                data = memory.read(systab_address, tables.SYSTEM_TABLE_SIZE)
                try:
                    systab = tables.parse_system_table(systab_address, data or b"")
                except tables.TableError as error:
                    listing.append("system table pointer at %#x: %s" % (address, error))
                else:
                    listing.append("EFI_SYSTEM_TABLE_POINTER at %#x -> system table at %#x "
                                   "(%d probes)" % (address, systab.address, probes))
                    return systab
            address -= step
    listing.append("no EFI_SYSTEM_TABLE_POINTER on %d 4 MiB boundaries of RAM %s"
                   % (probes, ", ".join("%#x-%#x" % r for r in memory.ram)))
    return None


def debug_table_images(memory, systab, listing):
    """(ImageBase, ImageSize) of each image in the debug image table, newest first."""
    config = memory.read(systab.configuration_table,
                         systab.table_count * tables.CONFIGURATION_TABLE_ENTRY_SIZE)
    header_address = config and tables.find_configuration_table(
        config, tables.DEBUG_IMAGE_INFO_TABLE_GUID)
    if not header_address:
        listing.append("the system table has no EFI_DEBUG_IMAGE_INFO_TABLE")
        return
    try:
        table = tables.parse_debug_image_table(
            header_address, memory.read(header_address,
                                        tables.DEBUG_INFO_HEADER_SIZE) or b"")
    except tables.TableError as error:
        listing.append(str(error))
        return
    listing.append("debug image table at %#x: %d images"
                   % (header_address, table.image_count))
    for protocol in reversed(used_slots(memory, table)):
        normal = memory.read(protocol, tables.DEBUG_IMAGE_INFO_NORMAL_SIZE)
        loaded_image = normal and tables.loaded_image_address(normal)
        fields = loaded_image and memory.read(
            loaded_image + tables.LOADED_IMAGE_BASE_OFFSET, tables.LOADED_IMAGE_BASE_SIZE)
        if fields:
            yield tables.image_base_and_size(fields)


def used_slots(memory, table):
    """The non-zero entries of the table's pointer array; freed slots are 0."""
    found = []
    address = table.entries_address
    limit = address + tables.MAX_DEBUG_IMAGES * 8
    while len(found) < table.image_count and address < limit:
        chunk = memory.read(address, POINTER_CHUNK)
        if chunk is None:
            break
        found += [pointer for pointer in tables.pointers(chunk) if pointer]
        address += POINTER_CHUNK
    return found[:table.image_count]


def from_cpu_pcs(memory, target, efi, listing):
    pages = align_up(efi.header.size_of_image, PAGE) // PAGE
    magic = efi.bytes_at(0, 64)
    try:
        pcs = target.cpu_pcs()
    except TargetError as error:
        listing.append(str(error))
        return None
    for pc in sorted(set(pc for pc in pcs if pc)):
        page = align_down(pc, PAGE)
        for index in range(pages):
            base = page - index * PAGE
            if memory.read(base, len(magic)) != magic:
                continue
            mismatch = matches_image(memory, efi, base)
            listing.append("PE header at %#x below a CPU's pc %#x: %s"
                           % (base, pc, mismatch or "matches %s" % efi.pe_path))
            if mismatch is None:
                return LoadAddress(base, "found by its PE header below a CPU's pc %#x"
                                   % pc, listing)
        listing.append("no PE header of %s within %#x bytes below the pc %#x"
                       % (efi.pe_path, pages * PAGE, pc))
    return None


def align_down(value, alignment):
    return value - value % alignment


def align_up(value, alignment):
    return align_down(value + alignment - 1, alignment)
