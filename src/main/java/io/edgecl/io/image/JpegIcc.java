package io.edgecl.io.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Removes the ICC profile (APP2 "ICC_PROFILE" segments) from a JPEG's header. PIL hands a
 * JPEG's samples over without colour management, and timm's models saw those values; the
 * TwelveMonkeys reader would convert CMYK through an embedded profile instead (up to 71 levels
 * apart from PIL on a photo). Without a profile it converts CMYK and YCCK as PIL does.
 */
final class JpegIcc {
    private static final byte[] ICC = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);

    private JpegIcc() {}

    /** Whether the file starts with a JPEG start-of-image marker. */
    static boolean isJpeg(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0xFF && in.read() == 0xD8;
        }
    }

    /**
     * {@code data} without its ICC segments; {@code data} itself when it has none or is not a
     * well-formed JPEG header (the decoder then reports what is wrong).
     */
    static byte[] withoutIccProfile(byte[] data) {
        if (data.length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) return data;
        byte[] out = null;
        int outLen = 0;
        int copied = 0; // data[copied..pos) is still to be copied when a segment is dropped
        int pos = 2;
        while (pos + 4 <= data.length) {
            if ((data[pos] & 0xFF) != 0xFF) return data;
            int marker = data[pos + 1] & 0xFF;
            if (marker == 0xFF) { // fill byte
                pos++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) break; // entropy-coded data or end: no more header
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length field
                pos += 2;
                continue;
            }
            int len = ((data[pos + 2] & 0xFF) << 8) | (data[pos + 3] & 0xFF);
            int end = pos + 2 + len;
            if (len < 2 || end > data.length) return data;
            if (marker == 0xE2
                    && len - 2 >= ICC.length
                    && Arrays.equals(data, pos + 4, pos + 4 + ICC.length, ICC, 0, ICC.length)) {
                if (out == null) out = new byte[data.length];
                System.arraycopy(data, copied, out, outLen, pos - copied);
                outLen += pos - copied;
                copied = end;
            }
            pos = end;
        }
        if (out == null) return data;
        System.arraycopy(data, copied, out, outLen, data.length - copied);
        outLen += data.length - copied;
        return Arrays.copyOf(out, outLen);
    }
}
