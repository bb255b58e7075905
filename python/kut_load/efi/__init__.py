"""EFI test images: X.efi, the PE image a UEFI firmware (EDK2, U-Boot) loads
where it likes, and X.efi.debug, its DWARF; imported only for EFI images,
since these modules cost more than the rest of a kut-load."""
