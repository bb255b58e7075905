"""ELF constants kut-load reads in Python (the System V ABI's gABI and its
processor supplements; the native module reads the rest through LLVM)."""

MAGIC = b"\x7fELF"  # e_ident[EI_MAG0..EI_MAG3]

# e_type
ET_REL = 1
ET_EXEC = 2
ET_DYN = 3

# p_type
PT_LOAD = 1

# e_machine
EM_386 = 3
EM_PPC64 = 21
EM_S390 = 22
EM_ARM = 40
EM_X86_64 = 62
EM_AARCH64 = 183
EM_RISCV = 243
