"""Splitters independent of gdb that follow libiberty's buildargv, which
add-symbol-file splits its arguments with, before and from gdb 16."""


def buildargv(line):
    """Splits line as libiberty's buildargv did up to gdb 15: whitespace separates words
    outside quotes; a backslash takes the next character literally, inside
    quotes too; single and double quotes group and are dropped."""
    words = []
    i = 0
    while True:
        while i < len(line) and line[i].isspace():
            i += 1
        if i >= len(line):
            return words
        word, quote, escaped = [], None, False
        while i < len(line):
            char = line[i]
            i += 1
            if escaped:
                word.append(char)
                escaped = False
            elif char == "\\":
                escaped = True
            elif quote:
                if char == quote:
                    quote = None
                else:
                    word.append(char)
            elif char in "'\"":
                quote = char
            elif char.isspace():
                break
            else:
                word.append(char)
        words.append("".join(word))


def posix_buildargv(line):
    """Splits line as gdb 16's buildargv does, like the POSIX shell: a
    backslash outside quotes takes the next character literally; single
    quotes take everything literally; inside double quotes a backslash
    escapes only \\ " $ ` and newline."""
    words = []
    i = 0
    while True:
        while i < len(line) and line[i].isspace():
            i += 1
        if i >= len(line):
            return words
        word, quote = [], None
        while i < len(line):
            char = line[i]
            i += 1
            if quote == "'":
                if char == "'":
                    quote = None
                else:
                    word.append(char)
            elif char == "\\" and i < len(line) and (quote is None or line[i] in '\\"$`\n'):
                word.append(line[i])
                i += 1
            elif quote == '"':
                if char == '"':
                    quote = None
                else:
                    word.append(char)
            elif char in "'\"":
                quote = char
            elif char.isspace():
                break
            else:
                word.append(char)
        words.append("".join(word))


SPLITTERS = [buildargv, posix_buildargv]
