"""The firmware structures that lead from memory to a loaded EFI image.

EDK2 puts an EFI_SYSTEM_TABLE_POINTER on a 4 MiB boundary near the top of
RAM for debuggers; it names the EFI system table, whose configuration table
holds the EFI_DEBUG_IMAGE_INFO_TABLE: one entry per loaded image, each with
its EFI_LOADED_IMAGE_PROTOCOL (ImageBase, ImageSize). Layouts are the UEFI
specification's for 64-bit targets. Pure: bytes in, numbers out; the bytes
come from the guest, so every parser checks what it is given.
"""

import struct
import uuid
from dataclasses import dataclass

SYSTEM_TABLE_POINTER_ALIGNMENT = 4 << 20
# "IBI SYST": signature of both EFI_SYSTEM_TABLE_POINTER and EFI_SYSTEM_TABLE.
SYSTEM_TABLE_SIGNATURE = struct.pack("<Q", 0x5453595320494249)
DEBUG_IMAGE_INFO_TABLE_GUID = uuid.UUID("49152e77-1ada-4764-b7a2-7afefed95e8b")

SYSTEM_TABLE_POINTER_SIZE = 16      # Signature, EfiSystemTableBase; Crc32 is not read
SYSTEM_TABLE_SIZE = 120             # up to and including ConfigurationTable
CONFIGURATION_TABLE_ENTRY_SIZE = 24  # VendorGuid, VendorTable
DEBUG_INFO_HEADER_SIZE = 16         # UpdateStatus, TableSize, EfiDebugImageInfoTable
DEBUG_IMAGE_INFO_NORMAL_SIZE = 24   # ImageInfoType, LoadedImageProtocolInstance, ImageHandle
DEBUG_IMAGE_INFO_TYPE_NORMAL = 1
LOADED_IMAGE_BASE_OFFSET = 64       # ImageBase, then ImageSize, in EFI_LOADED_IMAGE_PROTOCOL
LOADED_IMAGE_BASE_SIZE = 16

# Bounds on counts read from the guest, far above what a firmware uses.
MAX_CONFIGURATION_TABLES = 256
MAX_DEBUG_IMAGES = 4096


class TableError(ValueError):
    """Guest memory does not hold the structure it should."""


@dataclass(frozen=True)
class SystemTable:
    address: int
    table_count: int
    configuration_table: int


@dataclass(frozen=True)
class DebugImageTable:
    update_status: int
    image_count: int
    entries_address: int    # array of pointers; freed slots are 0


def system_table_address(pointer_bytes):
    """EfiSystemTableBase of an EFI_SYSTEM_TABLE_POINTER, or None if it is not one."""
    if len(pointer_bytes) < SYSTEM_TABLE_POINTER_SIZE:
        return None
    if pointer_bytes[:8] != SYSTEM_TABLE_SIGNATURE:
        return None
    (address,) = struct.unpack_from("<Q", pointer_bytes, 8)
    return address or None


def parse_system_table(address, data):
    """The EFI_SYSTEM_TABLE read at address."""
    if len(data) < SYSTEM_TABLE_SIZE or data[:8] != SYSTEM_TABLE_SIGNATURE:
        raise TableError("no EFI system table signature at %#x" % address)
    (header_size,) = struct.unpack_from("<I", data, 12)
    if header_size < SYSTEM_TABLE_SIZE:
        raise TableError("the EFI system table at %#x is too small (%d bytes)"
                         % (address, header_size))
    count, table = struct.unpack_from("<QQ", data, 104)
    if count > MAX_CONFIGURATION_TABLES:
        raise TableError("the EFI system table at %#x lists %d configuration tables"
                         % (address, count))
    return SystemTable(address, count, table)


def find_configuration_table(data, guid):
    """VendorTable of the configuration table entry for guid, or None."""
    for offset in range(0, len(data) - CONFIGURATION_TABLE_ENTRY_SIZE + 1,
                        CONFIGURATION_TABLE_ENTRY_SIZE):
        if uuid.UUID(bytes_le=bytes(data[offset:offset + 16])) == guid:
            (table,) = struct.unpack_from("<Q", data, offset + 16)
            return table
    return None


def parse_debug_image_table(address, data):
    """The EFI_DEBUG_IMAGE_INFO_TABLE_HEADER read at address."""
    if len(data) < DEBUG_INFO_HEADER_SIZE:
        raise TableError("short read of the debug image table at %#x" % address)
    status, count, entries = struct.unpack_from("<IIQ", data, 0)
    if count > MAX_DEBUG_IMAGES:
        raise TableError("the debug image table at %#x claims %d images" % (address, count))
    return DebugImageTable(status, count, entries)


def pointers(data):
    """The 64-bit pointers in data, in order."""
    return list(struct.unpack_from("<%dQ" % (len(data) // 8), data))


def loaded_image_address(normal_bytes):
    """LoadedImageProtocolInstance of an EFI_DEBUG_IMAGE_INFO_NORMAL, or None."""
    if len(normal_bytes) < DEBUG_IMAGE_INFO_NORMAL_SIZE:
        return None
    info_type, protocol = struct.unpack_from("<I4xQ", normal_bytes, 0)
    if info_type != DEBUG_IMAGE_INFO_TYPE_NORMAL:
        return None
    return protocol or None


def image_base_and_size(field_bytes):
    """(ImageBase, ImageSize) read at LOADED_IMAGE_BASE_OFFSET of a loaded image protocol."""
    return struct.unpack_from("<QQ", field_bytes, 0)
