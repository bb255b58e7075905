/* Per-arch console and power-off, implemented in <arch>/io.c. */
#ifndef SAMPLE_IO_H
#define SAMPLE_IO_H

void io_putc(char c);
void io_poweroff(int code) __attribute__((noreturn));

#endif
