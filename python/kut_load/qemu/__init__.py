"""What is read of QEMU itself, for kut-load and kut-debug alike: its ROM list,
its command line and options, its process."""
