/*
 * Environment sample guest: reads the environment kvm-unit-tests' run_tests.sh
 * passes with -initrd (KEY=VALUE lines; scripts/arch-run.bash, initrd_create)
 * from the initrd the device tree's /chosen names, and runs or skips a
 * subtest the way kvm-unit-tests' errata() decides (lib/errata.h): forced
 * by ERRATA_FORCE, else by the erratum's own variable.
 */
#include "io.h"

/* The device tree QEMU passed, kept by start.S. */
extern unsigned long boot_fdt;

#define FDT_MAGIC	0xd00dfeedU
#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9

#define ENV_MAX		4096
#define ERRATUM		"ERRATA_9a1b2c3d4e5f"

static char env[ENV_MAX + 1];
static unsigned int env_size;
static unsigned int passes, skips;

static void print(const char *s)
{
	while (*s)
		io_putc(*s++);
}

static unsigned int be32(const void *p)
{
	const unsigned char *b = p;

	return (unsigned int)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

static unsigned long be_cell(const void *p, unsigned int len)
{
	return len == 8 ? (unsigned long)be32(p) << 32 | be32((const char *)p + 4) : be32(p);
}

static int same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* linux,initrd-start and -end of /chosen; 0 when there is no initrd. */
static int find_initrd(unsigned long *start, unsigned long *end)
{
	const char *fdt = (const char *)boot_fdt;
	const char *token, *strings;
	int depth = 0, in_chosen = 0;

	*start = *end = 0;
	if (!fdt || be32(fdt) != FDT_MAGIC)
		return 0;
	token = fdt + be32(fdt + 8);
	strings = fdt + be32(fdt + 12);
	for (;;) {
		unsigned int tag = be32(token);

		token += 4;
		if (tag == FDT_BEGIN_NODE) {
			const char *name = token;

			depth++;
			in_chosen = depth == 2 && same(name, "chosen");
			while (*token++)
				;
			token = fdt + ((token - fdt + 3) & ~3UL);
		} else if (tag == FDT_END_NODE) {
			depth--;
			in_chosen = 0;
		} else if (tag == FDT_PROP) {
			unsigned int len = be32(token);
			const char *name = strings + be32(token + 4);
			const char *value = token + 8;

			if (in_chosen && same(name, "linux,initrd-start"))
				*start = be_cell(value, len);
			if (in_chosen && same(name, "linux,initrd-end"))
				*end = be_cell(value, len);
			token = fdt + ((value + len - fdt + 3) & ~3UL);
		} else if (tag != FDT_NOP) {
			break;
		}
	}
	return *start && *end > *start;
}

static void load_env(void)
{
	unsigned long start, end;
	unsigned int i;

	if (!find_initrd(&start, &end))
		return;
	env_size = end - start > ENV_MAX ? ENV_MAX : end - start;
	for (i = 0; i < env_size; i++)
		env[i] = ((const char *)start)[i];
}

/* The value of NAME=value in the environment, or 0. */
static const char *getenv(const char *name)
{
	unsigned int line = 0;

	while (line < env_size) {
		unsigned int i = 0;

		while (name[i] && line + i < env_size && env[line + i] == name[i])
			i++;
		if (!name[i] && line + i < env_size && env[line + i] == '=')
			return &env[line + i + 1];
		while (line < env_size && env[line] != '\n')
			line++;
		line++;
	}
	return 0;
}

static int is_yes(const char *value)
{
	return value && (*value == '1' || *value == 'y' || *value == 'Y');
}

static int errata(const char *erratum)
{
	return is_yes(getenv("ERRATA_FORCE")) || is_yes(getenv(erratum));
}

static void report(int run, const char *name, const char *why)
{
	print(run ? "PASS: env: " : "SKIP: env: ");
	print(name);
	if (!run) {
		print(" (");
		print(why);
		print(")");
	}
	print("\n");
	if (run)
		passes++;
	else
		skips++;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	load_env();	/* kut-test: first line of main */
	report(env_size > 0, "environment from the initrd", "no -initrd");
	report(getenv("QEMU_ACCEL") != 0, "QEMU_ACCEL given", "no QEMU_ACCEL");
	report(errata(ERRATUM), "guarded by " ERRATUM, ERRATUM " not set");
	print("SUMMARY: 3 tests, ");
	io_putc('0' + skips);
	print(" skipped\n");
	return 0;
}
