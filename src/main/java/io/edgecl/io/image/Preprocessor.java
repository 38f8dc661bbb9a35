package io.edgecl.io.image;

import io.edgecl.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * timm's evaluation transform ({@code transforms_imagenet_eval}, crop mode "center") on a PIL
 * image, step for step: resize so the shorter side is floor(size / crop_pct) (torchvision
 * {@code Resize} with Pillow's resampling), {@code CenterCrop(size)}, {@code ToTensor},
 * {@code Normalize(mean, std)}; float32 arithmetic in the same order, so results match
 * bit for bit. The output is NCHW float32, [1, 3, height, width].
 */
public final class Preprocessor {
    private final int height;
    private final int width;
    private final double cropPct;
    private final Interpolation interpolation;
    private final float[] mean;
    private final float[] std;

    public Preprocessor(Preprocess p) {
        this(p.size(), p.size(), p.cropPct(), Interpolation.parse(p.interpolation()), p.mean(), p.std());
    }

    /**
     * A (height × width) crop. timm resizes a non-square target with its ResizeKeepRatio,
     * which always uses bilinear whatever {@code interpolation} says; this class does the same.
     */
    public Preprocessor(int height, int width, double cropPct, Interpolation interpolation, float[] mean, float[] std) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("input size must be positive, got " + height + "x" + width);
        }
        if (!(cropPct > 0) || Double.isInfinite(cropPct)) {
            throw new IllegalArgumentException("crop_pct must be positive, got " + cropPct);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
        }
        this.height = height;
        this.width = width;
        this.cropPct = cropPct;
        this.interpolation = interpolation;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Decodes {@code file} and preprocesses it into [1, 3, height, width]. */
    public HostTensor load(Path file) {
        return apply(ImageDecoder.decode(file));
    }

    /** Decodes and preprocesses every file into one [N, 3, height, width] batch. */
    public HostTensor loadBatch(List<Path> files) {
        List<HostTensor> items = new ArrayList<>(files.size());
        for (Path f : files) items.add(load(f));
        return stack(items);
    }

    public HostTensor apply(RgbImage image) {
        return toTensor(resizeAndCrop(image));
    }

    /** The uint8 stage: resized and center-cropped to height × width, before ToTensor. */
    public RgbImage resizeAndCrop(RgbImage image) {
        int scaleH = (int) Math.floor(height / cropPct);
        int scaleW = (int) Math.floor(width / cropPct);
        RgbImage resized;
        if (scaleH == scaleW) {
            int[] wh = resizedSize(image.width(), image.height(), scaleH);
            resized = Resampler.resize(image, wh[0], wh[1], interpolation);
        } else {
            int[] wh = keepRatioSize(image.width(), image.height(), scaleH, scaleW);
            resized = Resampler.resize(image, wh[0], wh[1], Interpolation.BILINEAR);
        }
        return centerCrop(resized, height, width);
    }

    /** ToTensor (/255) then Normalize, in float32 as torchvision computes them. */
    public HostTensor toTensor(RgbImage image) {
        int w = image.width();
        int h = image.height();
        int plane = w * h;
        float[] out = new float[3 * plane];
        byte[] rgb = image.rgb();
        for (int c = 0; c < 3; c++) {
            float m = mean[c];
            float s = std[c];
            for (int i = 0, p = c; i < plane; i++, p += 3) {
                float v = (rgb[p] & 0xFF) / 255f;
                out[c * plane + i] = (v - m) / s;
            }
        }
        return new HostTensor(new int[] {1, 3, h, w}, out);
    }

    /**
     * torchvision's {@code Resize(shortSide)} output size as {width, height}: the shorter side
     * becomes shortSide, the other int(shortSide · long / short), truncated.
     */
    public static int[] resizedSize(int width, int height, int shortSide) {
        boolean wide = width > height;
        int shortIn = wide ? height : width;
        int longIn = wide ? width : height;
        int longOut = (int) ((double) ((long) shortSide * longIn) / shortIn);
        return wide ? new int[] {longOut, shortSide} : new int[] {shortSide, longOut};
    }

    /**
     * timm's ResizeKeepRatio size as {width, height}: both sides divided by the smaller of the
     * two source/target ratios, rounded half to even as Python's round does.
     */
    public static int[] keepRatioSize(int width, int height, int targetHeight, int targetWidth) {
        double ratio = Math.min((double) height / targetHeight, (double) width / targetWidth);
        return new int[] {(int) Math.rint(width / ratio), (int) Math.rint(height / ratio)};
    }

    /**
     * torchvision's offset of a centered crop: round((size - crop) / 2) with Python's
     * half-to-even rounding, so an odd margin of 2k+1 puts the extra pixel wherever k is odd.
     */
    public static int cropOffset(int size, int crop) {
        return (int) Math.rint((size - crop) / 2.0);
    }

    /** torchvision's CenterCrop: first zero-pads a side shorter than the crop, then crops. */
    public static RgbImage centerCrop(RgbImage image, int cropHeight, int cropWidth) {
        int w = image.width();
        int h = image.height();
        if (cropWidth > w || cropHeight > h) {
            int left = cropWidth > w ? (cropWidth - w) / 2 : 0;
            int top = cropHeight > h ? (cropHeight - h) / 2 : 0;
            int right = cropWidth > w ? (cropWidth - w + 1) / 2 : 0;
            int bottom = cropHeight > h ? (cropHeight - h + 1) / 2 : 0;
            image = pad(image, left, top, right, bottom);
            w = image.width();
            h = image.height();
            if (w == cropWidth && h == cropHeight) return image;
        }
        return crop(image, cropOffset(w, cropWidth), cropOffset(h, cropHeight), cropWidth, cropHeight);
    }

    static RgbImage crop(RgbImage image, int left, int top, int cropWidth, int cropHeight) {
        byte[] out = new byte[cropWidth * cropHeight * 3];
        int stride = image.width() * 3;
        for (int y = 0; y < cropHeight; y++) {
            System.arraycopy(image.rgb(), (top + y) * stride + left * 3, out, y * cropWidth * 3, cropWidth * 3);
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }

    static RgbImage pad(RgbImage image, int left, int top, int right, int bottom) {
        int w = image.width() + left + right;
        int h = image.height() + top + bottom;
        byte[] out = new byte[w * h * 3];
        int inStride = image.width() * 3;
        for (int y = 0; y < image.height(); y++) {
            System.arraycopy(image.rgb(), y * inStride, out, ((y + top) * w + left) * 3, inStride);
        }
        return new RgbImage(w, h, out);
    }

    /** Concatenates [1, C, H, W] (or [C, H, W]) tensors of one shape into [N, C, H, W]. */
    public static HostTensor stack(List<HostTensor> items) {
        if (items.isEmpty()) throw new IllegalArgumentException("cannot stack an empty batch");
        int[] first = chw(items.get(0));
        int per = first[0] * first[1] * first[2];
        float[] out = new float[Math.multiplyExact(per, items.size())];
        for (int i = 0; i < items.size(); i++) {
            HostTensor t = items.get(i);
            if (!Arrays.equals(chw(t), first)) {
                throw new IllegalArgumentException("batch item " + i + " is " + t.shapeString() + ", item 0 is "
                        + items.get(0).shapeString());
            }
            System.arraycopy(t.data(), 0, out, i * per, per);
        }
        return new HostTensor(new int[] {items.size(), first[0], first[1], first[2]}, out);
    }

    private static int[] chw(HostTensor t) {
        int[] s = t.shape();
        if (s.length == 4 && s[0] == 1) return new int[] {s[1], s[2], s[3]};
        if (s.length == 3) return s;
        throw new IllegalArgumentException("expected a [1, C, H, W] or [C, H, W] image tensor, got " + t.shapeString());
    }
}
