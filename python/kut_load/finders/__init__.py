"""Where QEMU put the test: one module per boot mechanism (QEMU's arm boot
loader, the riscv reset vector, QEMU's generic ELF loader, the image's own
contents), and the chain that tries them."""
