// Channel ("transposed", cross-covariance) attention of EdgeNeXt's SDTA block, and a row
// softmax shared by the attention kernels.
//
// qkv is the output of the qkv Linear, [N, T, 3C] (T = H*W tokens); channel s*C + h*D + i is
// component s (q, k, v) of head h, channel i (D = C / heads). Per (n, h):
//   attn[i, j] = <q_i, k_j> / (max(|q_i|, 1e-12) * max(|k_j|, 1e-12)) * temperature[h]
// with q_i, k_j vectors over the T tokens (F.normalize along tokens), softmax over j, then
//   out[n, t, h*D + i] = sum_j attn[i, j] * v_j[t].

// Global size: (D, D, N * heads).
__kernel void xca_scores(__global const DATA_T* qkv, __global const DATA_T* temperature, __global float* attn,
                         int T, int C, int heads) {
    const int i = get_global_id(0);
    const int j = get_global_id(1);
    const int nh = get_global_id(2);
    const int D = C / heads;
    if (i >= D || j >= D) return;
    const int n = nh / heads, h = nh % heads;
    const int qo = h * D + i, ko = C + h * D + j;
    float qk = 0.0f, qq = 0.0f, kk = 0.0f;
    for (int t = 0; t < T; t++) {
        const int base = (n * T + t) * 3 * C;
        float q = LD(qkv, base + qo), k = LD(qkv, base + ko);
        qk = fma(q, k, qk);
        qq = fma(q, q, qq);
        kk = fma(k, k, kk);
    }
    attn[(nh * D + i) * D + j] = qk / (fmax(sqrt(qq), 1e-12f) * fmax(sqrt(kk), 1e-12f)) * LD(temperature, h);
}

// In-place softmax of each row of a [rows, cols] float matrix. Global size: (rows).
__kernel void softmax_rows(__global float* x, int rows, int cols) {
    const int r = get_global_id(0);
    if (r >= rows) return;
    __global float* row = x + r * cols;
    float m = -INFINITY;
    for (int c = 0; c < cols; c++) m = fmax(m, row[c]);
    float s = 0.0f;
    for (int c = 0; c < cols; c++) {
        float e = exp(row[c] - m);
        row[c] = e;
        s += e;
    }
    const float inv = 1.0f / s;
    for (int c = 0; c < cols; c++) row[c] *= inv;
}

// Global size: (C, T, N).
__kernel void xca_apply(__global const float* attn, __global const DATA_T* qkv, __global DATA_T* out,
                        int T, int C, int heads) {
    const int c = get_global_id(0);
    const int t = get_global_id(1);
    const int n = get_global_id(2);
    if (c >= C || t >= T) return;
    const int D = C / heads;
    const int h = c / D, i = c % D;
    __global const float* a = attn + ((n * heads + h) * D + i) * D;
    const int vb = (n * T + t) * 3 * C + 2 * C + h * D;
    float acc = 0.0f;
    for (int j = 0; j < D; j++) acc = fma(a[j], LD(qkv, vb + j), acc);
    ST(out, (n * T + t) * C + c, acc);
}
