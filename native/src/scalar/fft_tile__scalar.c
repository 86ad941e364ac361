/* The portable FFT tile transforms (the reference for any ISA's own): a real 2-D DFT of a T x T tile at its
 * T * (T/2 + 1) non-redundant points, and its inverse cropped to the rows and columns wanted. T is a compile-time
 * constant in each entry point, so the loops unroll. Only the rows that hold data are transformed (a kernel or a
 * gradient tile zero-padded to the tile has few), and the inverse computes only the rows it writes. */
#include "../ukernels.h"

/* cos and sin of 2 pi n / 16: the twiddles of T = 16; T = 8 takes every second one. */
static const float cos16[16] = {
	1.0f, 0.92387953251128674f, 0.70710678118654752f, 0.38268343236508977f, 0.0f, -0.38268343236508977f, -0.70710678118654752f, -0.92387953251128674f,
	-1.0f, -0.92387953251128674f, -0.70710678118654752f, -0.38268343236508977f, 0.0f, 0.38268343236508977f, 0.70710678118654752f, 0.92387953251128674f,
};
static const float sin16[16] = {
	0.0f, 0.38268343236508977f, 0.70710678118654752f, 0.92387953251128674f, 1.0f, 0.92387953251128674f, 0.70710678118654752f, 0.38268343236508977f,
	0.0f, -0.38268343236508977f, -0.70710678118654752f, -0.92387953251128674f, -1.0f, -0.92387953251128674f, -0.70710678118654752f, -0.38268343236508977f,
};

/* Twiddle index of angle 2 pi n / tile in the 16-entry tables. */
#define TWIDDLE(n, tile) ((((n) % (tile)) * (16 / (tile))))

static inline void forward(size_t tile, const float* data, ptrdiff_t row_stride, ptrdiff_t column_stride, size_t row0, size_t rows, size_t col0,
	size_t columns, float* re, float* im, size_t stride)
{
	const size_t half = tile / 2 + 1;
	float zr[16][9], zi[16][9];
	/* Along each data row: the real DFT at column frequencies 0 .. tile/2. */
	for (size_t i = 0; i < rows; i++) {
		float x[16] = { 0 };
		for (size_t j = 0; j < columns; j++) x[col0 + j] = data[(ptrdiff_t) i * row_stride + (ptrdiff_t) j * column_stride];
		for (size_t v = 0; v < half; v++) {
			float r = 0.0f, s = 0.0f;
			for (size_t j = 0; j < tile; j++) {
				r += x[j] * cos16[TWIDDLE(v * j, tile)];
				s -= x[j] * sin16[TWIDDLE(v * j, tile)];
			}
			zr[i][v] = r;
			zi[i][v] = s;
		}
	}
	/* Down each column: the complex DFT over the data rows (the others are zero). */
	for (size_t u = 0; u < tile; u++) {
		for (size_t v = 0; v < half; v++) {
			float r = 0.0f, s = 0.0f;
			for (size_t i = 0; i < rows; i++) {
				const size_t n = TWIDDLE(u * (row0 + i), tile);
				r += zr[i][v] * cos16[n] + zi[i][v] * sin16[n];
				s += zi[i][v] * cos16[n] - zr[i][v] * sin16[n];
			}
			re[(u * half + v) * stride] = r;
			im[(u * half + v) * stride] = s;
		}
	}
}

static inline void inverse(size_t tile, const float* re, const float* im, size_t stride, size_t rows, size_t columns, float* out, size_t row_stride,
	float bias, bool relu)
{
	const size_t half = tile / 2 + 1;
	const float scale = 1.0f / (float) (tile * tile);
	for (size_t i = 0; i < rows; i++) {
		/* Row i of the inverse column DFTs, at every column frequency. */
		float wr[9], wi[9];
		for (size_t v = 0; v < half; v++) {
			float r = 0.0f, s = 0.0f;
			for (size_t u = 0; u < tile; u++) {
				const size_t n = TWIDDLE(u * i, tile);
				const float xr = re[(u * half + v) * stride], xi = im[(u * half + v) * stride];
				r += xr * cos16[n] - xi * sin16[n];
				s += xr * sin16[n] + xi * cos16[n];
			}
			wr[v] = r;
			wi[v] = s;
		}
		/* The real inverse along the row: frequencies 1 .. tile/2 - 1 stand for their conjugate mirrors too. */
		for (size_t j = 0; j < columns; j++) {
			float sum = wr[0] + ((j & 1) != 0 ? -wr[tile / 2] : wr[tile / 2]);
			for (size_t v = 1; v < tile / 2; v++) {
				const size_t n = TWIDDLE(v * j, tile);
				sum += 2.0f * (wr[v] * cos16[n] - wi[v] * sin16[n]);
			}
			const float value = sum * scale + bias;
			out[i * row_stride + j] = relu && value < 0.0f ? 0.0f : value;
		}
	}
}

void nnps_fft8x8_forward__scalar(const float* data, ptrdiff_t row_stride, ptrdiff_t column_stride, size_t row0, size_t rows, size_t col0, size_t columns,
	float* re, float* im, size_t stride)
{
	forward(8, data, row_stride, column_stride, row0, rows, col0, columns, re, im, stride);
}

void nnps_fft8x8_inverse__scalar(const float* re, const float* im, size_t stride, size_t rows, size_t columns, float* out, size_t row_stride, float bias, bool relu) {
	inverse(8, re, im, stride, rows, columns, out, row_stride, bias, relu);
}

void nnps_fft16x16_forward__scalar(const float* data, ptrdiff_t row_stride, ptrdiff_t column_stride, size_t row0, size_t rows, size_t col0, size_t columns,
	float* re, float* im, size_t stride)
{
	forward(16, data, row_stride, column_stride, row0, rows, col0, columns, re, im, stride);
}

void nnps_fft16x16_inverse__scalar(const float* re, const float* im, size_t stride, size_t rows, size_t columns, float* out, size_t row_stride, float bias, bool relu) {
	inverse(16, re, im, stride, rows, columns, out, row_stride, bias, relu);
}
