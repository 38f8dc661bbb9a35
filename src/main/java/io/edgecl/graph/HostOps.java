package io.edgecl.graph;

import io.edgecl.ops.Act;
import java.util.List;

/**
 * Plain-Java references of the ops, in double precision over NHWC arrays: what every kernel is
 * checked against, both inside graphs (each op's {@link OpSpec#reference}) and alone (the kernel
 * tests, which also use the strided forms and the channel-slice helpers). Straightforward loops,
 * written for clarity, not speed.
 */
public final class HostOps {
    private HostOps() {}

    /** Dense conv; weight [kh, kw, cin, cout]; padH/padW pad the top/left, the output size is y's. */
    public static double[] conv(
            double[] a,
            Value x,
            Value y,
            float[] wt,
            float[] bias,
            int kh,
            int kw,
            int stride,
            int padH,
            int padW,
            Act act) {
        return conv(a, x.n, x.h, x.w, x.c, y.h, y.w, y.c, wt, bias, kh, kw, stride, padH, padW, 0, act);
    }

    /** Depthwise conv; weight [kh, kw, cout]; output channel co reads input channel co / mult. */
    public static double[] dwconv(
            double[] a,
            Value x,
            Value y,
            float[] wt,
            float[] bias,
            int kh,
            int kw,
            int stride,
            int padH,
            int padW,
            int mult,
            Act act) {
        return conv(a, x.n, x.h, x.w, x.c, y.h, y.w, y.c, wt, bias, kh, kw, stride, padH, padW, mult, act);
    }

    /** As above with the taps {@code dilation} pixels apart. */
    public static double[] dwconv(
            double[] a,
            Value x,
            Value y,
            float[] wt,
            float[] bias,
            int kh,
            int kw,
            int stride,
            int padH,
            int padW,
            int mult,
            Act act,
            int dilation) {
        return conv(a, x.n, x.h, x.w, x.c, y.h, y.w, y.c, wt, bias, kh, kw, stride, padH, padW, mult, act, dilation);
    }

    /**
     * Both convs over NHWC [n, ih, iw, ic] to [n, oh, ow, oc]: {@code mult} 0 is dense (weight [kh,
     * kw, ic, oc]), else depthwise with that multiplier (weight [kh, kw, oc]); padH/padW pad the
     * top/left, the output size gives the rest.
     */
    public static double[] conv(
            double[] a,
            int n,
            int ih,
            int iw,
            int ic,
            int oh,
            int ow,
            int oc,
            float[] wt,
            float[] bias,
            int kh,
            int kw,
            int stride,
            int padH,
            int padW,
            int mult,
            Act act) {
        return conv(a, n, ih, iw, ic, oh, ow, oc, wt, bias, kh, kw, stride, padH, padW, mult, act, 1);
    }

    /** As above with the taps {@code dilation} pixels apart (PyTorch's dilation). */
    public static double[] conv(
            double[] a,
            int n,
            int ih,
            int iw,
            int ic,
            int oh,
            int ow,
            int oc,
            float[] wt,
            float[] bias,
            int kh,
            int kw,
            int stride,
            int padH,
            int padW,
            int mult,
            Act act,
            int dilation) {
        double[] o = new double[n * oh * ow * oc];
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int co = 0; co < oc; co++) {
                        double s = bias == null ? 0 : bias[co];
                        int c0 = mult == 0 ? 0 : co / mult, c1 = mult == 0 ? ic : c0 + 1;
                        for (int ky = 0; ky < kh; ky++) {
                            int yy = oy * stride - padH + ky * dilation;
                            if (yy < 0 || yy >= ih) continue;
                            for (int kx = 0; kx < kw; kx++) {
                                int xx = ox * stride - padW + kx * dilation;
                                if (xx < 0 || xx >= iw) continue;
                                int base = ((b * ih + yy) * iw + xx) * ic;
                                for (int ci = c0; ci < c1; ci++) {
                                    int wi =
                                            mult == 0 ? ((ky * kw + kx) * ic + ci) * oc + co : (ky * kw + kx) * oc + co;
                                    s += a[base + ci] * wt[wi];
                                }
                            }
                        }
                        o[((b * oh + oy) * ow + ox) * oc + co] = act.apply(s);
                    }
        return o;
    }

    /** LayerNorm over the last (channel) axis of [rows, c]. */
    public static double[] layerNorm(double[] a, int rows, int c, float[] gamma, float[] beta, double eps) {
        double[] o = new double[rows * c];
        for (int r = 0; r < rows; r++) {
            double m = 0, v = 0;
            for (int k = 0; k < c; k++) m += a[r * c + k];
            m /= c;
            for (int k = 0; k < c; k++) v += (a[r * c + k] - m) * (a[r * c + k] - m);
            v /= c;
            double inv = 1 / Math.sqrt(v + eps);
            for (int k = 0; k < c; k++) o[r * c + k] = (a[r * c + k] - m) * inv * gamma[k] + beta[k];
        }
        return o;
    }

    /**
     * out = act((x [* gate]) · W + bias) [* gamma] [+ residual] over [rows, k] × [k, n]; the gate
     * is [images, k] with {@code hw} rows per image.
     */
    public static double[] gemm(
            double[] a,
            double[] gate,
            int hw,
            double[] residual,
            int rows,
            int k,
            int n,
            float[] w,
            float[] bias,
            Act act,
            float[] gamma) {
        return gemm(a, k, gate, hw, residual, null, n, rows, k, n, w, bias, act, gamma);
    }

    /**
     * {@link #gemm(double[], double[], int, double[], int, int, int, float[], float[], Act, float[])}
     * with row strides: x has {@code lda}, the residual and the result {@code ldc}. The result starts
     * as a copy of {@code init} ([rows, ldc]; null: zeros), so the columns past n keep its values.
     */
    public static double[] gemm(
            double[] a,
            int lda,
            double[] gate,
            int hw,
            double[] residual,
            double[] init,
            int ldc,
            int rows,
            int k,
            int n,
            float[] w,
            float[] bias,
            Act act,
            float[] gamma) {
        double[] o = init == null ? new double[rows * ldc] : init.clone();
        for (int r = 0; r < rows; r++) {
            int img = r / hw;
            for (int j = 0; j < n; j++) {
                double s = bias == null ? 0 : bias[j];
                for (int q = 0; q < k; q++) s += a[r * lda + q] * (gate == null ? 1 : gate[img * k + q]) * w[q * n + j];
                s = act.apply(s);
                if (gamma != null) s *= gamma[j];
                if (residual != null) s += residual[r * ldc + j];
                o[r * ldc + j] = s;
            }
        }
        return o;
    }

    /** act(x) element-wise. */
    public static double[] activation(double[] a, Act act) {
        double[] o = new double[a.length];
        for (int i = 0; i < o.length; i++) o[i] = act.apply(a[i]);
        return o;
    }

    /** act(a + b) element-wise, same sizes. */
    public static double[] add(double[] a, double[] b, Act act) {
        double[] o = new double[a.length];
        for (int i = 0; i < o.length; i++) o[i] = act.apply(a[i] + b[i]);
        return o;
    }

    /** x * scale[c] [+ residual] over channels-last x with {@code scale.length} channels. */
    public static double[] scaleAdd(double[] a, float[] scale, double[] residual) {
        double[] o = new double[a.length];
        for (int i = 0; i < o.length; i++) o[i] = a[i] * scale[i % scale.length] + (residual == null ? 0 : residual[i]);
        return o;
    }

    /** a + c repeated over a (a constant [H*W, C] broadcast over the batch). */
    public static double[] addPeriodic(double[] a, float[] c) {
        double[] o = new double[a.length];
        for (int i = 0; i < o.length; i++) o[i] = a[i] + c[i % c.length];
        return o;
    }

    /** Channels [offset, offset + c) of every row of a [rows, stride] array, as [rows, c]. */
    public static double[] channels(double[] a, int stride, int offset, int c) {
        int rows = a.length / stride;
        double[] o = new double[rows * c];
        for (int r = 0; r < rows; r++) System.arraycopy(a, r * stride + offset, o, r * c, c);
        return o;
    }

    /** A copy of {@code a} ([rows, stride]) with {@code part} ([rows, c]) in channels [offset, offset + c). */
    public static double[] withChannels(double[] a, int stride, int offset, double[] part, int c) {
        double[] o = a.clone();
        for (int r = 0; r < part.length / c; r++) System.arraycopy(part, r * c, o, r * stride + offset, c);
        return o;
    }

    /** Softmax self-attention from qkv [n, h, w, 3C], tokens grouped by position in ph × pw patches. */
    public static double[] selfAttention(double[] qkv, Value y, int heads, float scale, int ph, int pw) {
        int n = y.n, h = y.h, w = y.w, c = y.c, d = c / heads;
        double[] o = new double[(int) y.numel()];
        int[] toks = new int[h * w];
        for (int b = 0; b < n; b++)
            for (int gy = 0; gy < ph; gy++)
                for (int gx = 0; gx < pw; gx++) {
                    int cnt = 0;
                    for (int yy = gy; yy < h; yy += ph)
                        for (int xx = gx; xx < w; xx += pw) toks[cnt++] = b * h * w + yy * w + xx;
                    double[] s = new double[cnt];
                    for (int hd = 0; hd < heads; hd++)
                        for (int i = 0; i < cnt; i++) {
                            double mx = Double.NEGATIVE_INFINITY;
                            for (int j = 0; j < cnt; j++) {
                                double dot = 0;
                                for (int q = 0; q < d; q++) {
                                    dot += qkv[toks[i] * 3 * c + hd * d + q] * qkv[toks[j] * 3 * c + c + hd * d + q];
                                }
                                s[j] = dot * scale;
                                mx = Math.max(mx, s[j]);
                            }
                            double sum = 0;
                            for (int j = 0; j < cnt; j++) sum += s[j] = Math.exp(s[j] - mx);
                            for (int q = 0; q < d; q++) {
                                double acc = 0;
                                for (int j = 0; j < cnt; j++) acc += s[j] * qkv[toks[j] * 3 * c + 2 * c + hd * d + q];
                                o[toks[i] * c + hd * d + q] = acc / sum;
                            }
                        }
                }
        return o;
    }

    /**
     * Multi-query attention: q [n, l, heads·d], k and v [n, m, d] to [n, l, heads·d], each query
     * head's softmax(q·kᵀ × scale) · v over the shared keys and values.
     */
    public static double[] multiQueryAttention(
            double[] q, double[] k, double[] v, int n, int l, int m, int heads, int d, float scale) {
        int c = heads * d;
        double[] o = new double[n * l * c], s = new double[m];
        for (int b = 0; b < n; b++)
            for (int t = 0; t < l; t++)
                for (int h = 0; h < heads; h++) {
                    int qb = (b * l + t) * c + h * d;
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < m; j++) {
                        double dot = 0;
                        for (int i = 0; i < d; i++) dot += q[qb + i] * k[(b * m + j) * d + i];
                        s[j] = dot * scale;
                        mx = Math.max(mx, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < m; j++) sum += s[j] = Math.exp(s[j] - mx);
                    for (int i = 0; i < d; i++) {
                        double acc = 0;
                        for (int j = 0; j < m; j++) acc += s[j] * v[(b * m + j) * d + i];
                        o[qb + i] = acc / sum;
                    }
                }
        return o;
    }

    /**
     * EdgeNeXt's cross-covariance attention from qkv [n, t, 3C] to [n, t, C]: per head, q and k
     * L2-normalised along the tokens (eps 1e-12), attn = softmax_j(q̂_i·k̂_j · temp[h]),
     * out[t, h*D + i] = Σ_j attn[i, j] v_j[t].
     */
    public static double[] channelAttention(double[] qkv, int n, int t, int c, int heads, float[] temperature) {
        int d = c / heads;
        double[] out = new double[n * t * c];
        for (int b = 0; b < n; b++) {
            for (int h = 0; h < heads; h++) {
                double[][] q = new double[d][t], k = new double[d][t], v = new double[d][t];
                for (int i = 0; i < d; i++) {
                    for (int s = 0; s < t; s++) {
                        int base = (b * t + s) * 3 * c + h * d + i;
                        q[i][s] = qkv[base];
                        k[i][s] = qkv[base + c];
                        v[i][s] = qkv[base + 2 * c];
                    }
                    l2normalize(q[i]);
                    l2normalize(k[i]);
                }
                double[] row = new double[d];
                for (int i = 0; i < d; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < d; j++) {
                        double dot = 0;
                        for (int s = 0; s < t; s++) dot += q[i][s] * k[j][s];
                        row[j] = dot * temperature[h];
                        max = Math.max(max, row[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < d; j++) sum += row[j] = Math.exp(row[j] - max);
                    for (int s = 0; s < t; s++) {
                        double acc = 0;
                        for (int j = 0; j < d; j++) acc += row[j] / sum * v[j][s];
                        out[(b * t + s) * c + h * d + i] = acc;
                    }
                }
            }
        }
        return out;
    }

    private static void l2normalize(double[] x) {
        double ss = 0;
        for (double e : x) ss += e * e;
        double norm = Math.max(Math.sqrt(ss), 1e-12);
        for (int i = 0; i < x.length; i++) x[i] /= norm;
    }

    /** Res2Net-style cascade: y_0 = conv_0(x_0), y_i = conv_i(x_i + y_{i-1}); the rest passes through. */
    public static double[] cascade(double[] a, Value x, int width, List<float[]> weights, List<float[]> biases, int k) {
        return cascade(a, x.n, x.h, x.w, x.c, width, weights, biases, k);
    }

    /** {@link #cascade(double[], Value, int, List, List, int)} over NHWC [n, h, w, c]. */
    public static double[] cascade(
            double[] a, int n, int h, int w, int c, int width, List<float[]> weights, List<float[]> biases, int k) {
        double[] o = a.clone();
        double[] prev = null;
        for (int i = 0; i < weights.size(); i++) {
            double[] chunk = channels(a, c, i * width, width);
            if (prev != null) chunk = add(chunk, prev, Act.NONE);
            prev = conv(
                    chunk,
                    n,
                    h,
                    w,
                    width,
                    h,
                    w,
                    width,
                    weights.get(i),
                    biases.get(i),
                    k,
                    k,
                    1,
                    k / 2,
                    k / 2,
                    1,
                    Act.NONE);
            o = withChannels(o, c, i * width, prev, width);
        }
        return o;
    }

    /** k×k average (count_include_pad as given) or max pooling, stride, symmetric zero padding. */
    public static double[] pool2d(
            double[] a, Value x, Value y, int k, int stride, int pad, boolean max, boolean countIncludePad) {
        double[] o = new double[(int) y.numel()];
        int c = x.c;
        for (int b = 0; b < y.n; b++)
            for (int oy = 0; oy < y.h; oy++)
                for (int ox = 0; ox < y.w; ox++)
                    for (int ch = 0; ch < c; ch++) {
                        double s = max ? Double.NEGATIVE_INFINITY : 0;
                        int count = 0;
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++) {
                                int yy = oy * stride - pad + ky, xx = ox * stride - pad + kx;
                                boolean inside = yy >= 0 && yy < x.h && xx >= 0 && xx < x.w;
                                if (inside) {
                                    double v = a[((b * x.h + yy) * x.w + xx) * c + ch];
                                    s = max ? Math.max(s, v) : s + v;
                                    count++;
                                } else if (countIncludePad && yy < x.h + pad && xx < x.w + pad) {
                                    count++;
                                }
                            }
                        o[((b * y.h + oy) * y.w + ox) * c + ch] = max ? s : s / count;
                    }
        return o;
    }

    /** Depthwise transposed conv with kernel = stride = s; weight [s, s, C]. */
    public static double[] dwconvTranspose(double[] a, Value x, Value y, float[] w, float[] bias, int s) {
        double[] o = new double[(int) y.numel()];
        int c = y.c;
        for (int b = 0; b < y.n; b++)
            for (int oy = 0; oy < y.h; oy++)
                for (int ox = 0; ox < y.w; ox++)
                    for (int ch = 0; ch < c; ch++) {
                        double v =
                                a[((b * x.h + oy / s) * x.w + ox / s) * c + ch] * w[((oy % s) * s + ox % s) * c + ch];
                        o[((b * y.h + oy) * y.w + ox) * c + ch] = v + (bias == null ? 0 : bias[ch]);
                    }
        return o;
    }

    /** Global average pool: [n, hw, c] → [n, c]. */
    public static double[] avgPool(double[] a, int n, int hw, int c) {
        double[] o = new double[n * c];
        for (int b = 0; b < n; b++)
            for (int p = 0; p < hw; p++) for (int k = 0; k < c; k++) o[b * c + k] += a[(b * hw + p) * c + k] / hw;
        return o;
    }

    /**
     * Bilinear resize of NHWC [n, h, w, c] to [n, ho, wo, c] as PyTorch's interpolate: source
     * coordinates in float as PyTorch computes them, the blend in double.
     */
    public static double[] resizeBilinear(
            double[] a, int n, int h, int w, int c, int ho, int wo, boolean alignCorners) {
        int[][] ty = resizeTaps(h, ho, alignCorners), tx = resizeTaps(w, wo, alignCorners);
        double[] ly = resizeWeights(h, ho, alignCorners), lx = resizeWeights(w, wo, alignCorners);
        double[] o = new double[n * ho * wo * c];
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++)
                    for (int ch = 0; ch < c; ch++) {
                        double v00 = a[((b * h + ty[oy][0]) * w + tx[ox][0]) * c + ch];
                        double v01 = a[((b * h + ty[oy][0]) * w + tx[ox][1]) * c + ch];
                        double v10 = a[((b * h + ty[oy][1]) * w + tx[ox][0]) * c + ch];
                        double v11 = a[((b * h + ty[oy][1]) * w + tx[ox][1]) * c + ch];
                        double top = (1 - lx[ox]) * v00 + lx[ox] * v01;
                        double bottom = (1 - lx[ox]) * v10 + lx[ox] * v11;
                        o[((b * ho + oy) * wo + ox) * c + ch] = (1 - ly[oy]) * top + ly[oy] * bottom;
                    }
        return o;
    }

    private static float resizeSource(int in, int out, int o, boolean alignCorners) {
        float scale = io.edgecl.ops.Resize.scale(in, out, alignCorners);
        return alignCorners ? scale * o : Math.max(scale * (o + 0.5f) - 0.5f, 0f);
    }

    private static int[][] resizeTaps(int in, int out, boolean alignCorners) {
        int[][] t = new int[out][];
        for (int o = 0; o < out; o++) {
            int i = Math.min((int) resizeSource(in, out, o, alignCorners), in - 1);
            t[o] = new int[] {i, i < in - 1 ? i + 1 : i};
        }
        return t;
    }

    private static double[] resizeWeights(int in, int out, boolean alignCorners) {
        double[] l = new double[out];
        for (int o = 0; o < out; o++) {
            float src = resizeSource(in, out, o, alignCorners);
            int i = Math.min((int) src, in - 1);
            l[o] = Math.min(Math.max(src - i, 0f), 1f);
        }
        return l;
    }
}
