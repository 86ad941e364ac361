/*
 * Winograd F(m x m, 3x3) for 3x3 stride-1 convolutions, in two tile sizes: F(6x6, 3x3) on 8x8 input tiles (upstream's
 * wt8x8) and F(4x4, 3x3) on 6x6 input tiles (small maps, where 8x8 tiles would mostly cover padding). U = G k G^T per
 * (output, input) channel pair, V = B^T d B per input tile, one GEMM per transform point M = U * V over channels (on
 * the sgemm ukernel), and Y = A^T M A per tile. The transforms come from the hardware table. The input gradient runs
 * as the convolution of grad_output with the kernel rotated by 180 degrees, channels swapped, padded by 2 - p.
 */
#ifndef NNPS_CONVOLUTION_WINOGRAD_H
#define NNPS_CONVOLUTION_WINOGRAD_H

#include "convolution.h"

/* The tile sizes, each with its own transforms in the hardware table. */
enum nnps_winograd_variant {
	nnps_winograd_f6x6k3x3, /* 8x8 input tiles, 6x6 outputs, 64 points */
	nnps_winograd_f4x4k3x3, /* 6x6 input tiles, 4x4 outputs, 36 points */
};

/* Output tile side of a variant (its input tile is 2 wider). */
static inline size_t nnps_winograd_output_tile(enum nnps_winograd_variant variant) {
	return variant == nnps_winograd_f4x4k3x3 ? 4 : 6;
}

/* True when Winograd (either tile size) can compute any function on g: a 3x3 kernel, stride 1, top and left padding
 * at most 2 (the input gradient pads by 2 - p). */
NNPS_INTERNAL bool nnps_winograd_applies(const struct nnps_conv* g);

/* The transforms of a variant on this ISA level, and its transform points (64 or 36). */
NNPS_INTERNAL const struct nnps_winograd_transforms* nnps_winograd_transforms_of(enum nnps_winograd_variant variant, const struct nnps_isa_table* isa);
static inline size_t nnps_winograd_points(enum nnps_winograd_variant variant) {
	const size_t tile = nnps_winograd_output_tile(variant) + 2;
	return tile * tile;
}

/* How a variant tiles g's output map: output and input tile sides, transform points, tiles per row and per image. */
struct nnps_winograd_tiling {
	size_t out, tile, points, tiles_w, tiles;
};
NNPS_INTERNAL struct nnps_winograd_tiling nnps_winograd_tiling_of(enum nnps_winograd_variant variant, const struct nnps_conv* g);

/* The tile descriptors of the batch's tiles first .. first + count (tile = image * tiles + tile in the image), in
 * blocks of NNPS_WINOGRAD_LANES over `width` lanes (lanes from count on unused): input tiles (padding subtracted)
 * from channel 0 of image 0 of the input, output tiles from channel 0 of image 0 of the output. */
NNPS_INTERNAL void nnps_winograd_describe_blocks(const struct nnps_conv* g, const struct nnps_winograd_tiling* tiling, size_t first, size_t count,
	size_t width, struct nnps_winograd_block* inputs, struct nnps_winograd_block* outputs);

/* A transform phase, one task per channel: channel c's plane (images + c * plane, rows row_stride apart) transformed
 * block by block into transformed[point] (points point_stride floats apart, at least channels * width): with
 * panel_width 0 as rows, [c][width];
 * otherwise as the GEMM's packed B panels (nnps_b_packed), [width / panel_width][c][panel_width], panel_width a
 * multiple of the lanes and width a multiple of panel_width. Only the blocks of the first `columns` columns (a
 * multiple of the lanes) are transformed: the rest of a last panel is never read. */
struct nnps_winograd_planes {
	nnps_winograd_input_transform_fn transform;
	const struct nnps_winograd_block* blocks;
	const float* images;
	size_t plane, row_stride, channels, width, columns;
	float* transformed;
	size_t panel_width;
	size_t point_stride;
};
NNPS_INTERNAL void nnps_winograd_transform_planes(const struct nnps_winograd_planes* planes, pthreadpool_t pool);
/* One task of it: channel c's plane, on the calling thread. */
NNPS_INTERNAL void nnps_winograd_transform_plane(const struct nnps_winograd_planes* planes, size_t c);

/* The floats between two points' matrices of `rows` x `width` in V or M: one cache line more than the matrix, so that
 * the 36 or 64 stores (loads) of a transform, one per point, fall in as many L1 sets. Where the matrix is a multiple
 * of 4 KiB (64 channels x 32 columns), they all fell in one set of the 12-way L1, and a block's input transform took
 * 1.5x as long (a micro-benchmark of the AVX-512 F(4x4) transform on one block: 177 ns against 118 ns). */
static inline size_t nnps_winograd_point_floats(size_t rows, size_t width) {
	return rows * width + NNPS_FLOATS_PER_LINE;
}
/* The same, checked: false where it overflows (each plan checks its largest matrices once; the uses then cannot wrap). */
static inline bool nnps_winograd_point_floats_fit(size_t rows, size_t width, size_t* floats) {
	return !__builtin_mul_overflow(rows, width, floats) && !__builtin_add_overflow(*floats, (size_t) NNPS_FLOATS_PER_LINE, floats);
}

/* Workspace layout, checked: *offset = *total, then total += count * a * b floats rounded up to a cache line (so
 * every region stays aligned); false on overflow. */
NNPS_INTERNAL bool nnps_winograd_reserve(size_t* total, size_t* offset, size_t count, size_t a, size_t b);
/* Floats a tile block descriptor takes in the workspace. */
#define NNPS_WINOGRAD_BLOCK_FLOATS ((sizeof(struct nnps_winograd_block) + sizeof(float) - 1) / sizeof(float))

/* The tallest micro-kernel tile the kernel transform handles (it keeps one panel's transforms on the stack). */
#define NNPS_WINOGRAD_MAX_MR 8

/* The workspace of output/inference (forward) or the input gradient, without room for U when the kernel comes
 * transformed already; false when a size overflows. */
NNPS_INTERNAL bool nnps_winograd_workspace(
	enum nnps_winograd_variant variant, enum nnps_function function, const struct nnps_conv* g, const struct nnps_isa_table* isa, size_t threads, bool kernel_transformed, size_t* floats);

/* The transformed kernel U of g: its floats (false on overflow), and the transform itself into u (64-byte aligned),
 * of the forward kernel [co][ci][3][3], or with `rotated` of the input gradient's (g then being the transposed
 * convolution, the kernel [ci][co][3][3] rotated by 180 degrees). */
NNPS_INTERNAL bool nnps_winograd_kernel_floats(enum nnps_winograd_variant variant, const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t* floats);
NNPS_INTERNAL void nnps_winograd_transform_kernel(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* kernel, bool rotated, float* u, pthreadpool_t pool);
/* The same for output channels row0 .. row0 + rows only (row0 a multiple of mr), on the calling thread, into u packed
 * as U of those rows alone (points nnps_packed_a_floats(rows, ci) apart): bit-identical to those rows of the whole U. */
NNPS_INTERNAL void nnps_winograd_transform_kernel_rows(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* kernel, bool rotated, size_t row0, size_t rows, float* u);

/* output = conv(input, kernel) (+ bias, relu), the kernel transformed here or given transformed (transformed_kernel,
 * from nnps_winograd_transform_kernel; kernel is then unused); fills the profile's transform and multiplication
 * phases. */
NNPS_INTERNAL void nnps_winograd_output(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input, const float* kernel, const float* transformed_kernel, const float* bias,
	bool relu, float* output, float* workspace, pthreadpool_t pool, struct nnp_profile* profile);

/* grad_input of the convolution g, from grad_output and the forward kernel. */
NNPS_INTERNAL void nnps_winograd_input_gradient(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* grad_output, const float* kernel, float* grad_input,
	float* workspace, pthreadpool_t pool, struct nnp_profile* profile);

/* The kernel gradient (F(3x3, m x m) on the variant's tiles, see ukernels.h): its workspace (false when a size
 * overflows), and grad_kernel from input and grad_output; fills the profile's phases: input_transform (the input's),
 * output_transform (grad_output's), block_multiplication, and kernel_transform (the gradient's own G^T M G). */
NNPS_INTERNAL bool nnps_winograd_kernel_gradient_workspace(
	enum nnps_winograd_variant variant, const struct nnps_conv* g, const struct nnps_isa_table* isa, size_t threads, size_t* floats);
NNPS_INTERNAL void nnps_winograd_kernel_gradient(enum nnps_winograd_variant variant,
	const struct nnps_conv* g, const struct nnps_isa_table* isa, const float* input, const float* grad_output, float* grad_kernel,
	float* workspace, pthreadpool_t pool, struct nnp_profile* profile);

#endif
