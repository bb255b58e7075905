/*
 * PE/COFF header of the EFI sample, written by hand: the image is an ELF PIE
 * linked at 0 and turned into the .efi file with objcopy -O binary, so the
 * file offset, the ELF address and the PE RVA of every byte are the same.
 * Symbols used here come from efi.lds; sizes are computed there because the
 * assembler cannot subtract two symbols it does not define.
 */
#define IMAGE_FILE_MACHINE_AMD64	0x8664
#define IMAGE_FILE_EXECUTABLE_IMAGE	0x0002
#define IMAGE_FILE_LARGE_ADDRESS_AWARE	0x0020
#define PE32_PLUS_MAGIC			0x020b
#define IMAGE_SUBSYSTEM_EFI_APPLICATION	10
#define DATA_DIRECTORY_COUNT		16
#define SCN_CODE_EXECUTE_READ		0x60000020
#define SCN_DATA_READ_WRITE		0xc0000040

	.section .pe_header, "a"
	.globl	image_base
image_base:
	/* DOS header: only the magic and the offset of the PE signature are read. */
	.ascii	"MZ"
	.fill	0x3a, 1, 0
	.long	pe_signature - image_base

pe_signature:
	.ascii	"PE\0\0"

	/* COFF file header. */
	.short	IMAGE_FILE_MACHINE_AMD64
	.short	(section_table_end - section_table) / 40
	.long	0				/* TimeDateStamp */
	.long	0				/* PointerToSymbolTable */
	.long	0				/* NumberOfSymbols */
	.short	section_table - optional_header	/* SizeOfOptionalHeader */
	/* Relocations are not marked stripped: the firmware may load it anywhere. */
	.short	IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_LARGE_ADDRESS_AWARE

optional_header:
	.short	PE32_PLUS_MAGIC
	.byte	2, 40				/* linker version: informational */
	.long	__text_size	/* SizeOfCode */
	.long	__data_size	/* SizeOfInitializedData */
	.long	0				/* SizeOfUninitializedData */
	.long	_start - image_base		/* AddressOfEntryPoint */
	.long	__text_start - image_base	/* BaseOfCode */
	.quad	0				/* ImageBase: the ELF's link address */
	.long	0x1000				/* SectionAlignment */
	.long	0x1000				/* FileAlignment: file offset == RVA */
	.short	0, 0				/* OperatingSystemVersion */
	.short	0, 0				/* ImageVersion */
	.short	0, 0				/* SubsystemVersion */
	.long	0				/* Win32VersionValue */
	.long	__image_end - image_base	/* SizeOfImage */
	.long	__text_start - image_base	/* SizeOfHeaders */
	.long	0				/* CheckSum */
	.short	IMAGE_SUBSYSTEM_EFI_APPLICATION
	.short	0				/* DllCharacteristics */
	.quad	0, 0, 0, 0			/* stack and heap reserve/commit */
	.long	0				/* LoaderFlags */
	.long	DATA_DIRECTORY_COUNT
	/* No exports, imports or base relocations: start.S relocates the image itself. */
	.fill	DATA_DIRECTORY_COUNT * 8, 1, 0

section_table:
	.ascii	".text\0\0\0"
	.long	__text_size	/* VirtualSize */
	.long	__text_start - image_base	/* VirtualAddress */
	.long	__text_size	/* SizeOfRawData */
	.long	__text_start - image_base	/* PointerToRawData */
	.long	0, 0				/* relocations, line numbers */
	.short	0, 0
	.long	SCN_CODE_EXECUTE_READ

	.ascii	".data\0\0\0"
	.long	__data_size
	.long	__data_start - image_base
	.long	__data_size
	.long	__data_start - image_base
	.long	0, 0
	.short	0, 0
	.long	SCN_DATA_READ_WRITE
section_table_end:
