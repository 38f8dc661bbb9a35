package io.edgecl.io.image;

/** timm's eval transform for a model: resize to size / crop_pct, center crop, normalize. */
public record Preprocess(int size, double cropPct, String interpolation, float[] mean, float[] std) {
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    public static Preprocess imagenet(int size, double cropPct) {
        return new Preprocess(size, cropPct, "bicubic", IMAGENET_MEAN, IMAGENET_STD);
    }

    /** ml-cvnets' evaluation: the whole image resized to size × size (bilinear), RGB in [0, 1], no mean or std. */
    public static Preprocess squareUnitRange(int size) {
        return new Preprocess(size, 1.0, "bilinear", new float[] {0, 0, 0}, new float[] {1, 1, 1});
    }

    public Preprocess withSize(int s) {
        return new Preprocess(s, cropPct, interpolation, mean, std);
    }

    public Preprocess withCropPct(double c) {
        return new Preprocess(size, c, interpolation, mean, std);
    }

    public Preprocess withInterpolation(String i) {
        return new Preprocess(size, cropPct, i, mean, std);
    }
}
