/*
 * FFT convolution (upstream's ft8x8 and ft16x16) for stride-1 convolutions with kernels up to the tile: overlap-save
 * over T x T input tiles (T = 8 or 16), each giving (T - kH + 1) x (T - kW + 1) outputs. Per tile and channel a real
 * 2-D DFT at T * (T/2 + 1) points; per point one complex product over channels, run on the sgemm ukernel as three real
 * GEMMs (the 3-multiplication form below, the kernel's conjugated spectrum packed once as A); then the inverse DFT,
 * cropped (+ bias, relu).
 * The input gradient runs as the transposed convolution (kernel rotated by 180 degrees, channels swapped, padding
 * k - 1 - p), and the kernel gradient as per-point GEMMs of conj(DFT(grad_output tile)) x DFT(input tile) summed over
 * images and tiles, one inverse DFT per kernel cropped to kH x kW.
 */
#ifndef NNPS_CONVOLUTION_FFT_H
#define NNPS_CONVOLUTION_FFT_H

#include "convolution.h"

enum nnps_fft_variant { nnps_fft8x8, nnps_fft16x16 };

/* The complex product M = (P + iQ)(Vr + iVi) over channels as three real GEMMs instead of four (Gauss's trick):
 * T1 = P Vr, T2 = Q Vi, T3 = (P + Q)(Vr + Vi); Re M = T1 - T2, Im M = T3 - T1 - T2. A point's A holds P, Q and P + Q,
 * its V holds Vr, Vi and Vr + Vi: 3/4 of the multiply-adds of the 2x2 real form [[P, -Q], [Q, P]]. */
#define NNPS_FFT_PRODUCTS 3

static inline size_t nnps_fft_tile(enum nnps_fft_variant variant) { return variant == nnps_fft16x16 ? 16 : 8; }
/* The non-redundant points of a real tile's spectrum: T rows of T/2 + 1. */
static inline size_t nnps_fft_points(enum nnps_fft_variant variant) { return nnps_fft_tile(variant) * (nnps_fft_tile(variant) / 2 + 1); }

/* True when the FFT of this tile size computes `function` on g: kernel sides up to the tile, stride 1, and for the
 * input gradient top and left padding below the kernel (its transposed convolution pads by k - 1 - p). */
NNPS_INTERNAL bool nnps_fft_applies(enum nnps_fft_variant variant, enum nnps_function function, const struct nnps_conv* g);

NNPS_INTERNAL const struct nnps_fft_transforms* nnps_fft_transforms_of(enum nnps_fft_variant variant, const struct nnps_isa_table* isa);

/* The workspace of `function` on g (without room for the transformed kernel when it comes stored); false on overflow. */
NNPS_INTERNAL bool nnps_fft_workspace(
	enum nnps_fft_variant variant, enum nnps_function function, const struct nnps_conv* g, const struct nnps_isa_table* isa, size_t threads, bool kernel_transformed, size_t* floats);

/* The transformed kernel of g: its floats (per point NNPS_FFT_PRODUCTS packed co x ci matrices; false on overflow), and the transform
 * into `transformed` (64-byte aligned) of the forward kernel [co][ci][kH][kW], or with `rotated` of the input
 * gradient's (g then being the transposed convolution, the kernel [ci][co][kH][kW] rotated by 180 degrees). */
NNPS_INTERNAL bool nnps_fft_kernel_floats(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t* floats);
NNPS_INTERNAL void nnps_fft_transform_kernel(
	enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* kernel, bool rotated, float* transformed, pthreadpool_t pool);

/* output = conv(input, kernel) (+ bias, relu), the kernel transformed here or given (transformed_kernel); fills the
 * profile's transform and multiplication phases. */
NNPS_INTERNAL void nnps_fft_output(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input,
	const float* kernel, const float* transformed_kernel, const float* bias, bool relu, float* output, float* workspace, pthreadpool_t pool,
	struct nnp_profile* profile);

NNPS_INTERNAL void nnps_fft_input_gradient(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa,
	const float* grad_output, const float* kernel, float* grad_input, float* workspace, pthreadpool_t pool, struct nnp_profile* profile);

/* The kernel gradient's workspace and the gradient itself (fft-kernel-gradient.c). */
NNPS_INTERNAL bool nnps_fft_kernel_gradient_workspace(
	enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, size_t threads, size_t* floats);
NNPS_INTERNAL void nnps_fft_kernel_gradient(enum nnps_fft_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa,
	const float* input, const float* grad_output, float* grad_kernel, float* workspace, pthreadpool_t pool, struct nnp_profile* profile);

/* What the drivers share (fft.c): the output tiles of a map, and where tile `column` of a group reads its input. */
struct nnps_fft_tiling {
	size_t tile, half, points;    /* T, T/2 + 1, T * (T/2 + 1) */
	size_t out_h, out_w;          /* output tile: T - kH + 1 by T - kW + 1 */
	size_t tiles_w, tiles;        /* output tiles of one image: per row, in all */
};
NNPS_INTERNAL struct nnps_fft_tiling nnps_fft_tiling_of(enum nnps_fft_variant variant, const struct nnps_conv* g);
/* The blocks of NNPS_FFT_LANES tiles the transforms take, lanes = columns first .. first + LANES - 1 of a group of
 * `columns` (column = image-in-group * tiles + tile; lanes past the group unused). Inputs: the input tile of each
 * output tile (padding subtracted, clipped to the image), offsets from channel 0 of the group's first image of the
 * input; outputs: the output tile itself, clipped to the map, offsets likewise in the output. */
NNPS_INTERNAL void nnps_fft_describe_inputs(const struct nnps_conv* g, const struct nnps_fft_tiling* tiling, size_t first, size_t columns, struct nnps_fft_block* block);
NNPS_INTERNAL void nnps_fft_describe_outputs(const struct nnps_conv* g, const struct nnps_fft_tiling* tiling, size_t first, size_t columns, struct nnps_fft_block* block);
/* Checked total += a * b * c, each region rounded up to a cache line; its start in *offset. */
NNPS_INTERNAL bool nnps_fft_reserve(size_t* total, size_t* offset, size_t a, size_t b, size_t c);

#endif
