/*
 * The few UEFI structures the x86_64 sample uses, laid out as the UEFI
 * specification defines them for x64; firmware services use the Microsoft
 * calling convention there (EFIAPI).
 */
#ifndef SAMPLE_EFI_H
#define SAMPLE_EFI_H

#include <stdint.h>

#define EFIAPI __attribute__((ms_abi))

typedef uint64_t efi_status_t;
typedef void *efi_handle_t;
typedef uint16_t efi_char16_t;

#define EFI_SUCCESS		0

struct efi_table_header {
	uint64_t signature;
	uint32_t revision;
	uint32_t header_size;
	uint32_t crc32;
	uint32_t reserved;
};

struct efi_simple_text_output {
	void *reset;
	efi_status_t (EFIAPI *output_string)(struct efi_simple_text_output *self,
					     const efi_char16_t *text);
	/* The rest is never called. */
};

struct efi_boot_services {
	struct efi_table_header hdr;
	void *raise_tpl;
	void *restore_tpl;
	void *allocate_pages;
	void *free_pages;
	efi_status_t (EFIAPI *get_memory_map)(uint64_t *map_size, void *map, uint64_t *map_key,
					      uint64_t *descriptor_size,
					      uint32_t *descriptor_version);
	void *allocate_pool;
	void *free_pool;
	void *create_event;
	void *set_timer;
	void *wait_for_event;
	void *signal_event;
	void *close_event;
	void *check_event;
	void *install_protocol_interface;
	void *reinstall_protocol_interface;
	void *uninstall_protocol_interface;
	void *handle_protocol;
	void *reserved;
	void *register_protocol_notify;
	void *locate_handle;
	void *locate_device_path;
	void *install_configuration_table;
	void *load_image;
	void *start_image;
	void *exit;
	void *unload_image;
	efi_status_t (EFIAPI *exit_boot_services)(efi_handle_t image, uint64_t map_key);
	/* The rest is never called. */
};

struct efi_system_table {
	struct efi_table_header hdr;
	efi_char16_t *firmware_vendor;
	uint32_t firmware_revision;
	efi_handle_t console_in_handle;
	void *con_in;
	efi_handle_t console_out_handle;
	struct efi_simple_text_output *con_out;
	efi_handle_t standard_error_handle;
	struct efi_simple_text_output *std_err;
	void *runtime_services;
	struct efi_boot_services *boot_services;
	uint64_t number_of_table_entries;
	void *configuration_table;
};

#endif
