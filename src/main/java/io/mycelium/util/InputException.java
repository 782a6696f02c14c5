package io.mycelium.util;

/**
 * Something the user gave is wrong: a file, a config field or an option value. The message names
 * where (file and line, config field, or option) and what is wrong; the CLI reports it as one line
 * with exit code 2. Bugs and failures while running are other exceptions (exit code 1).
 */
public class InputException extends IllegalArgumentException {
    public InputException(String message) { super(message); }

    public InputException(String message, Throwable cause) { super(message, cause); }
}
