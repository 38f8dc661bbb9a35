package io.edgecl.serve;

import io.edgecl.EdgeClException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The file parts of a {@code multipart/form-data} body (RFC 7578), as bytes; names and filenames are ignored. */
public final class Multipart {
    private Multipart() {}

    /**
     * The file parts of {@code body}, by the boundary in {@code contentType}.
     *
     * @throws EdgeClException for a body that is not well-formed multipart (the server answers 400)
     */
    public static List<byte[]> parts(byte[] body, String contentType) {
        String boundary = null;
        for (String p : contentType.split(";")) {
            String t = p.trim();
            if (t.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                boundary = t.substring("boundary=".length()).trim();
                if (boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
                    boundary = boundary.substring(1, boundary.length() - 1);
                }
            }
        }
        if (boundary == null || boundary.isEmpty() || boundary.length() > 200) {
            throw new EdgeClException("multipart/form-data without a valid boundary");
        }
        byte[] delim = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> out = new ArrayList<>();
        int at = indexOf(body, delim, 0);
        if (at < 0) throw new EdgeClException("the multipart body has no boundary line");
        while (true) {
            int lineEnd = at + delim.length;
            if (lineEnd + 1 < body.length && body[lineEnd] == '-' && body[lineEnd + 1] == '-')
                break; // closing delimiter
            int headersStart = skipLine(body, lineEnd);
            int headersEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, headersStart);
            if (headersStart < 0 || headersEnd < 0) {
                throw new EdgeClException("a multipart part has no header end");
            }
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.ISO_8859_1)
                    .toLowerCase(Locale.ROOT);
            int dataStart = headersEnd + 4;
            int next = indexOf(body, delim, dataStart);
            if (next < 0) throw new EdgeClException("a multipart part is not closed");
            int dataEnd = next;
            if (dataEnd >= 2 && body[dataEnd - 2] == '\r' && body[dataEnd - 1] == '\n') dataEnd -= 2;
            // Form fields without a filename (plain text values) are not images.
            if (headers.contains("filename=")
                    || headers.contains("content-type: image/")
                    || headers.contains("content-type: application/octet-stream")) {
                out.add(Arrays.copyOfRange(body, dataStart, Math.max(dataStart, dataEnd)));
            }
            at = next;
        }
        return out;
    }

    private static int skipLine(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') return i + 2;
        }
        return -1;
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        if (from < 0) return -1;
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
