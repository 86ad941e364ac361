/* The FFT tile transforms' arithmetic: radix-2 butterfly networks of length 4, 8 and 16 on vectors of NNPS_FFT_LANES
 * floats (one tile per lane), and the real-input FFT and its inverse built on the half-length complex one. The
 * vectors are GCC/Clang vector extensions: the file that includes this header decides their registers by its flags
 * (one zmm with AVX-512's, two ymm with AVX2's, four xmm or NEON registers in the portable build), so every ISA runs
 * the same operations in the same order. Everything is static always_inline with the length a constant, so the
 * networks unroll into straight-line code and the twiddles fold. Vectors are passed by pointer only: a 64-byte vector
 * by value would change the calling convention between builds (-Wpsabi). Included by fft-tile-lanes.h only. */
#ifndef NNPS_FFT_BUTTERFLIES_H
#define NNPS_FFT_BUTTERFLIES_H

#include <stddef.h>

#include "ukernels.h"

typedef float nnps_fft_vec __attribute__((vector_size(NNPS_FFT_LANES * sizeof(float))));

#define NNPS_FFT_INLINE __attribute__((always_inline)) static inline

/* cos and sin of 2 pi n / 16: the twiddles of length 16; length 8 takes every second one, length 4 every fourth. */
static const float nnps_fft_cos16[16] = {
	1.0f, 0.92387953251128674f, 0.70710678118654752f, 0.38268343236508977f, 0.0f, -0.38268343236508977f, -0.70710678118654752f, -0.92387953251128674f,
	-1.0f, -0.92387953251128674f, -0.70710678118654752f, -0.38268343236508977f, 0.0f, 0.38268343236508977f, 0.70710678118654752f, 0.92387953251128674f,
};
static const float nnps_fft_sin16[16] = {
	0.0f, 0.38268343236508977f, 0.70710678118654752f, 0.92387953251128674f, 1.0f, 0.92387953251128674f, 0.70710678118654752f, 0.38268343236508977f,
	0.0f, -0.38268343236508977f, -0.70710678118654752f, -0.92387953251128674f, -1.0f, -0.92387953251128674f, -0.70710678118654752f, -0.38268343236508977f,
};

/* y = x * e^{-2 pi i k / n}: the forward twiddle, with k = 0 (identity) and k = n/4 (times -i) free of multiplies. */
NNPS_FFT_INLINE void nnps_fft_twiddle_mul(size_t n, size_t k, nnps_fft_vec* re, nnps_fft_vec* im) {
	if (k == 0) return;
	const nnps_fft_vec r = *re, i = *im;
	if (4 * k == n) {
		*re = i, *im = -r;
		return;
	}
	const float c = nnps_fft_cos16[k * (16 / n)], s = nnps_fft_sin16[k * (16 / n)];
	*re = r * c + i * s, *im = i * c - r * s;
}

/* The forward complex DFT of length 4 of x[0], x[xs], x[2 xs], x[3 xs] into y[0 .. 3]. */
NNPS_FFT_INLINE void nnps_fft_complex4(const nnps_fft_vec* xr, const nnps_fft_vec* xi, size_t xs, nnps_fft_vec* yr, nnps_fft_vec* yi) {
	const nnps_fft_vec t0r = xr[0] + xr[2 * xs], t0i = xi[0] + xi[2 * xs], t1r = xr[0] - xr[2 * xs], t1i = xi[0] - xi[2 * xs];
	const nnps_fft_vec t2r = xr[xs] + xr[3 * xs], t2i = xi[xs] + xi[3 * xs], t3r = xr[xs] - xr[3 * xs], t3i = xi[xs] - xi[3 * xs];
	yr[0] = t0r + t2r, yi[0] = t0i + t2i, yr[2] = t0r - t2r, yi[2] = t0i - t2i;
	yr[1] = t1r + t3i, yi[1] = t1i - t3r, yr[3] = t1r - t3i, yi[3] = t1i + t3r;
}

/* The last radix-2 stage of length n: the DFTs of the even (e) and odd (o, twiddled here) halves into y[0 .. n-1]. */
NNPS_FFT_INLINE void nnps_fft_combine(size_t n, const nnps_fft_vec* er, const nnps_fft_vec* ei, nnps_fft_vec* or, nnps_fft_vec* oi, nnps_fft_vec* yr, nnps_fft_vec* yi) {
	const size_t m = n / 2;
	for (size_t k = 0; k < m; k++) {
		nnps_fft_twiddle_mul(n, k, &or[k], &oi[k]);
		yr[k] = er[k] + or[k], yi[k] = ei[k] + oi[k];
		yr[k + m] = er[k] - or[k], yi[k + m] = ei[k] - oi[k];
	}
}

/* Lengths 8 and 16 by decimation in time (no recursion: always_inline cannot inline a function into itself). */
NNPS_FFT_INLINE void nnps_fft_complex8(const nnps_fft_vec* xr, const nnps_fft_vec* xi, size_t xs, nnps_fft_vec* yr, nnps_fft_vec* yi) {
	nnps_fft_vec er[4], ei[4], or[4], oi[4];
	nnps_fft_complex4(xr, xi, 2 * xs, er, ei);
	nnps_fft_complex4(xr + xs, xi + xs, 2 * xs, or, oi);
	nnps_fft_combine(8, er, ei, or, oi, yr, yi);
}

NNPS_FFT_INLINE void nnps_fft_complex16(const nnps_fft_vec* xr, const nnps_fft_vec* xi, size_t xs, nnps_fft_vec* yr, nnps_fft_vec* yi) {
	nnps_fft_vec er[8], ei[8], or[8], oi[8];
	nnps_fft_complex8(xr, xi, 2 * xs, er, ei);
	nnps_fft_complex8(xr + xs, xi + xs, 2 * xs, or, oi);
	nnps_fft_combine(16, er, ei, or, oi, yr, yi);
}

/* The forward complex DFT of length n (4, 8 or 16) of x[0], x[xs], ... into y[0 .. n-1]; the inverse (unnormalised,
 * e^{+...}) is the same call with real and imaginary parts swapped on both sides. */
NNPS_FFT_INLINE void nnps_fft_complex(size_t n, const nnps_fft_vec* xr, const nnps_fft_vec* xi, size_t xs, nnps_fft_vec* yr, nnps_fft_vec* yi) {
	if (n == 4) nnps_fft_complex4(xr, xi, xs, yr, yi);
	else if (n == 8) nnps_fft_complex8(xr, xi, xs, yr, yi);
	else nnps_fft_complex16(xr, xi, xs, yr, yi);
}

/* The DFT of n real values x[0], x[xs], ... at frequencies 0 .. n/2 into y[k * ys] (imaginary parts of 0 and n/2 are
 * written as 0): the even and odd values as one complex sequence of length n/2, then split by
 * X[k] = (S - i W^k D) / 2, S = Z[k] + conj Z[n/2 - k], D = Z[k] - conj Z[n/2 - k]. */
NNPS_FFT_INLINE void nnps_fft_real(size_t n, const nnps_fft_vec* x, size_t xs, nnps_fft_vec* yr, nnps_fft_vec* yi, size_t ys) {
	const size_t m = n / 2;
	nnps_fft_vec zr[8], zi[8];
	nnps_fft_complex(m, x, x + xs, 2 * xs, zr, zi);
	yr[0] = zr[0] + zi[0], yr[m * ys] = zr[0] - zi[0];
	yi[0] = yi[m * ys] = (nnps_fft_vec){ 0 };
	for (size_t k = 1; k < m; k++) {
		const float c = 0.5f * nnps_fft_cos16[k * (16 / n)], s = 0.5f * nnps_fft_sin16[k * (16 / n)];
		const nnps_fft_vec sr = zr[k] + zr[m - k], si = zi[k] - zi[m - k], dr = zr[k] - zr[m - k], di = zi[k] + zi[m - k];
		yr[k * ys] = 0.5f * sr + c * di - s * dr;
		yi[k * ys] = 0.5f * si - s * di - c * dr;
	}
}

/* The inverse of nnps_fft_real, unnormalised (n times the values): n real values y[0], y[ys], ... from frequencies
 * x[k * xs], k = 0 .. n/2, of a Hermitian spectrum (the imaginary parts at 0 and n/2 are taken as 0). The half-length
 * complex sequence Z[k] = S + i W^-k D, S = X[k] + conj X[n/2 - k], D = X[k] - conj X[n/2 - k], transformed back,
 * holds the even values in its real parts and the odd ones in its imaginary parts. */
NNPS_FFT_INLINE void nnps_fft_real_inverse(size_t n, const nnps_fft_vec* xr, const nnps_fft_vec* xi, size_t xs, nnps_fft_vec* y, size_t ys) {
	const size_t m = n / 2;
	nnps_fft_vec zr[8], zi[8], wr[8], wi[8];
	zr[0] = xr[0] + xr[m * xs], zi[0] = xr[0] - xr[m * xs];
	for (size_t k = 1; k < m; k++) {
		const float c = nnps_fft_cos16[k * (16 / n)], s = nnps_fft_sin16[k * (16 / n)];
		const nnps_fft_vec sr = xr[k * xs] + xr[(m - k) * xs], si = xi[k * xs] - xi[(m - k) * xs];
		const nnps_fft_vec dr = xr[k * xs] - xr[(m - k) * xs], di = xi[k * xs] + xi[(m - k) * xs];
		zr[k] = sr - s * dr - c * di, zi[k] = si + c * dr - s * di;
	}
	nnps_fft_complex(m, zi, zr, 1, wi, wr);
	for (size_t k = 0; k < m; k++) y[2 * k * ys] = wr[k], y[(2 * k + 1) * ys] = wi[k];
}

#endif
