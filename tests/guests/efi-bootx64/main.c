/*
 * x86_64 EFI sample guest, started by OVMF as EFI/BOOT/BOOTX64.EFI: greets
 * on the firmware console, leaves boot services as a kvm-unit-tests EFI
 * test does, then runs forever so that a debugger can find it at any moment.
 */
#include "efi.h"

#define COM1	0x3f8

/* Non-zero .data value: reads back wrong if the load offset is wrong. */
unsigned long long efi_sample_magic = 0x6b75747836340aULL;

/* How often tick() ran; volatile so every call stores it. */
volatile unsigned long efi_sample_ticks;

/* Room for the firmware's memory map, which ExitBootServices needs the key of. */
static unsigned char memory_map[16 * 1024];

static void print(struct efi_system_table *systab, const efi_char16_t *text)
{
	systab->con_out->output_string(systab->con_out, text);
}

/* The firmware's console is gone with boot services; COM1 stays set up. */
static void print_serial(const char *text)
{
	while (*text)
		asm volatile("outb %0, %1" : : "a"(*text++), "Nd"((unsigned short)COM1));
}

static efi_status_t exit_boot_services(efi_handle_t image, struct efi_system_table *systab)
{
	struct efi_boot_services *bs = systab->boot_services;
	uint64_t size, key, descriptor_size;
	uint32_t descriptor_version;
	efi_status_t status;
	int attempt;

	/* The key goes stale whenever the map changes; the specification says to retry. */
	for (attempt = 0; attempt < 4; attempt++) {
		size = sizeof(memory_map);
		status = bs->get_memory_map(&size, memory_map, &key, &descriptor_size,
					    &descriptor_version);
		if (status != EFI_SUCCESS)
			return status;
		status = bs->exit_boot_services(image, key);
		if (status == EFI_SUCCESS)
			return status;
	}
	return status;
}

/* noinline: the tests need a real frame for tick under main. */
__attribute__((noinline)) void tick(unsigned long count)
{
	efi_sample_ticks = count;	/* kut-test: inside tick */
}

__attribute__((noreturn)) void run_forever(void)
{
	unsigned long count;

	for (count = 1;; count++)
		tick(count);	/* kut-test: loop in run_forever */
}

EFIAPI efi_status_t efi_main(efi_handle_t image, struct efi_system_table *systab)
{
	efi_status_t status;

	print(systab, u"efi sample: running\r\n");	/* kut-test: first line of efi_main */
	status = exit_boot_services(image, systab);
	if (status != EFI_SUCCESS) {
		print(systab, u"efi sample: ExitBootServices failed\r\n");
		return status;
	}
	print_serial("efi sample: boot services exited\n");
	run_forever();	/* kut-test: call of run_forever */
}
