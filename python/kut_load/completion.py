"""TAB completion (gdb's complete) of a command's arguments by its option
table (command_line.CommandLine): option names where an option may start, file
names where a file is taken (for the operand, only the endings it takes),
and nothing where an address or a text is."""

import os


def complete(line, text, word, file_word_breaks):
    """gdb's complete(text, word) for CommandLine line. text: the arguments so
    far; word: the part gdb replaces, which may start after a '-' (one of gdb's
    word break characters), or None when gdb only asks which word break
    characters to use: then file_word_breaks (gdb.COMPLETE_FILENAME) when a
    file name is typed, else [] for gdb's default ones. Otherwise a list of
    the completions of word."""
    words = text.split()
    typed = words.pop() if text and not text[-1].isspace() else ""
    expected = expected_word(line, words, typed)
    if word is None:
        return file_word_breaks if expected in ("operand", "file") else []
    if expected == "option":
        cut = len(typed) - len(word)
        return [name[cut:] for name in line.long_names() if name.startswith(typed)]
    if expected == "operand":
        return entered(word, lambda name: name.endswith(line.operand.suffixes))
    if expected == "file":
        return entered(word, lambda name: True)
    return []


def expected_word(line, before, typed):
    """What the word typed after the words before is: "option", "operand",
    "file" (an option's file value), or "nothing" (another value, or a word
    the command does not take)."""
    pending, only_operands, operands = None, False, 0
    for word in before:
        if pending is not None:
            pending = None
        elif only_operands or not word.startswith("-") or word == "-":
            operands += 1
        elif word == "--":
            only_operands = True
        else:
            option = line.option_named(word)
            pending = option if option is not None and option.takes_value else None
    if pending is not None:
        return "file" if pending.kind.names_a_file else "nothing"
    if typed.startswith("-") and not only_operands:
        return "nothing" if "=" in typed else "option"
    if line.operand is not None and operands == 0:
        return "operand"
    return "option" if not only_operands else "nothing"


def entered(word, wanted):
    """file_names(word, wanted); a lone directory is entered instead: gdb
    would put a space after it, and the next TAB could not go on into it."""
    names = file_names(word, wanted)
    if len(names) == 1 and names[0].endswith("/"):
        return file_names(names[0], wanted) or names
    return names


def file_names(word, wanted):
    """The directories (with '/') and the files whose names wanted(name)
    accepts, in word's directory, that complete word; word keeps what the
    user typed (a quote, a ~)."""
    path = os.path.expanduser(word.lstrip("\"'"))
    directory, start = os.path.split(path)
    try:
        names = sorted(os.listdir(directory or "."))
    except OSError:
        return []
    found = []
    for name in names:
        if not name.startswith(start):
            continue
        if os.path.isdir(os.path.join(directory, name)):
            found.append(word + name[len(start):] + "/")
        elif wanted(name):
            found.append(word + name[len(start):])
    return found
