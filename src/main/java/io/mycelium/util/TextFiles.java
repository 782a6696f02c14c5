package io.mycelium.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Helpers for the messages about text files the user gave. */
public final class TextFiles {
    private TextFiles() {}

    /** Text from a user's file as it can be shown in one line of a message: control characters escaped, long text cut. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int q = 0; q < s.length() && b.length() < 60; q++) {
            char c = s.charAt(q);
            if (c < 0x20 || c == 0x7f || c == 0xfffd) b.append(String.format("\\x%02x", (int) c & 0xff));
            else b.append(c);
        }
        return b.length() < s.length() ? b + "..." : b.toString();
    }

    /**
     * {@link Double#parseDouble} without its leniency: it trims every character up to the space,
     * so a number with control characters around it would pass for a number.
     */
    public static double parseDouble(String token) {
        for (int q = 0; q < token.length(); q++) {
            char c = token.charAt(q);
            if (c <= ' ' || c == 0x7f) throw new NumberFormatException("'" + token + "' holds a space or control character");
        }
        return Double.parseDouble(token);
    }

    /**
     * The line (from 1) holding the first byte sequence that is not UTF-8, or -1 when the file
     * decodes. Readers decode ahead of the line they return, so the line they stopped at is not it.
     */
    public static int firstNonUtf8Line(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            return -1;
        }
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(b);
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            CoderResult r = d.decode(in, out, true);
            if (r.isError()) {
                int line = 1;
                for (int q = 0; q < in.position(); q++) if (b[q] == '\n') line++;
                return line;
            }
            if (r.isUnderflow()) return -1;
            out.clear();
        }
    }
}
