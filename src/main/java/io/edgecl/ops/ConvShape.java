package io.edgecl.ops;

/**
 * A convolution's geometry over NHWC: input [n, h, w, cin], a kh × kw window at {@code stride}
 * with {@code padH}/{@code padW} padding the top/left, output [n, ho, wo, cout]. The bottom/right
 * padding is whatever the output size implies (TensorFlow's "same" padding is asymmetric). For a
 * depthwise convolution {@code cout / cin} is the channel multiplier.
 */
public record ConvShape(
        int n, int h, int w, int cin, int cout, int kh, int kw, int stride, int padH, int padW, int ho, int wo) {
    /** With the output size of symmetric padding ({@link Conv2d#outSize}). */
    public static ConvShape of(int n, int h, int w, int cin, int cout, int kh, int kw, int stride, int padH, int padW) {
        return new ConvShape(
                n,
                h,
                w,
                cin,
                cout,
                kh,
                kw,
                stride,
                padH,
                padW,
                Conv2d.outSize(h, kh, stride, padH),
                Conv2d.outSize(w, kw, stride, padW));
    }

    /** The same window with an explicit output size. */
    public ConvShape withOutput(int ho, int wo) {
        return new ConvShape(n, h, w, cin, cout, kh, kw, stride, padH, padW, ho, wo);
    }

    /** Output channels per input channel of a depthwise convolution. */
    public int multiplier() {
        return cout / cin;
    }

    /** Multiply-adds per output element. */
    long windowMacs() {
        return (long) kh * kw;
    }
}
