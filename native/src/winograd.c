/* Winograd F(6x6, 3x3): U = G g G^T per (out, in) channel pair, V = B^T d B per 8x8 input tile, then for each of
 * the 64 transform points one GEMM M = U * V over channels (on the per-ISA micro-kernel), and Y = A^T M A per tile.
 * Interpolation points 0, +-1, +-2, +-1/2 and infinity. */
#include <string.h>
#include <time.h>

#include "winograd.h"

#define TILE 8
#define OUT 6
#define POINTS 64

static const float BT[8][8] = {
	{ 1.0f, 0.0f, -5.25f, 0.0f, 5.25f, 0.0f, -1.0f, 0.0f },
	{ 0.0f, 1.0f, 1.0f, -4.25f, -4.25f, 1.0f, 1.0f, 0.0f },
	{ 0.0f, -1.0f, 1.0f, 4.25f, -4.25f, -1.0f, 1.0f, 0.0f },
	{ 0.0f, 0.5f, 0.25f, -2.5f, -1.25f, 2.0f, 1.0f, 0.0f },
	{ 0.0f, -0.5f, 0.25f, 2.5f, -1.25f, -2.0f, 1.0f, 0.0f },
	{ 0.0f, 2.0f, 4.0f, -2.5f, -5.0f, 0.5f, 1.0f, 0.0f },
	{ 0.0f, -2.0f, 4.0f, 2.5f, -5.0f, -0.5f, 1.0f, 0.0f },
	{ 0.0f, -1.0f, 0.0f, 5.25f, 0.0f, -5.25f, 0.0f, 1.0f },
};

static const float G[8][3] = {
	{ 1.0f, 0.0f, 0.0f },
	{ -2.0f / 9, -2.0f / 9, -2.0f / 9 },
	{ -2.0f / 9, 2.0f / 9, -2.0f / 9 },
	{ 1.0f / 90, 1.0f / 45, 2.0f / 45 },
	{ 1.0f / 90, -1.0f / 45, 2.0f / 45 },
	{ 32.0f / 45, 16.0f / 45, 8.0f / 45 },
	{ 32.0f / 45, -16.0f / 45, 8.0f / 45 },
	{ 0.0f, 0.0f, 1.0f },
};

static const float AT[6][8] = {
	{ 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 2.0f, -2.0f, 0.5f, -0.5f, 0.0f },
	{ 0.0f, 1.0f, 1.0f, 4.0f, 4.0f, 0.25f, 0.25f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 8.0f, -8.0f, 0.125f, -0.125f, 0.0f },
	{ 0.0f, 1.0f, 1.0f, 16.0f, 16.0f, 0.0625f, 0.0625f, 0.0f },
	{ 0.0f, 1.0f, -1.0f, 32.0f, -32.0f, 0.03125f, -0.03125f, 1.0f },
};

struct winograd_call {
	const struct nnps_conv* g;
	const float* input;
	const float* kernel;
	bool gradient;
	const float* bias;
	bool relu;
	float* output;
	float* u;             /* [64][co][ci] */
	float* v;             /* [64][ci][tiles] */
	float* m;             /* [64][co][tiles] */
	float* thread_buffers;
	size_t thread_floats, max_columns;
	size_t tiles_h, tiles_w, tiles; /* tiles of one image */
	size_t group_images;             /* images transformed together, so each GEMM is group_images * tiles wide */
	size_t first_image, images;      /* the group being processed */
	size_t columns;                  /* images * tiles: the GEMMs' width for this group */
	size_t chunk, chunks;
	const struct nnps_sgemm_kernel* sgemm;
};

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

#define CHANNEL_BLOCK 16

/* U[point][o][c] = (G k G^T)[point] for the 3x3 kernel of output channel o, input channel c. Kernels are transformed
 * 16 input channels at a time into a local block, so each of the 64 rows of U receives one contiguous 64-byte line
 * instead of 16 scattered floats. */
static void kernel_transform_task(void* context, size_t thread, size_t o) {
	(void) thread;
	const struct winograd_call* call = context;
	const size_t co = call->g->output_channels, ci = call->g->input_channels;
	float block[POINTS][CHANNEL_BLOCK];
	for (size_t c0 = 0; c0 < ci; c0 += CHANNEL_BLOCK) {
		const size_t count = ci - c0 < CHANNEL_BLOCK ? ci - c0 : CHANNEL_BLOCK;
		for (size_t b = 0; b < count; b++) {
			const size_t c = c0 + b;
			float k[3][3];
			for (size_t y = 0; y < 3; y++) {
				for (size_t x = 0; x < 3; x++) {
					/* The input gradient convolves with the forward kernel rotated by 180 degrees, channels swapped. */
					k[y][x] = call->gradient ? call->kernel[((c * co + o) * 3 + (2 - y)) * 3 + (2 - x)] : call->kernel[((o * ci + c) * 3 + y) * 3 + x];
				}
			}
			float gk[8][3];
			for (size_t i = 0; i < 8; i++) {
				for (size_t x = 0; x < 3; x++) gk[i][x] = G[i][0] * k[0][x] + G[i][1] * k[1][x] + G[i][2] * k[2][x];
			}
			for (size_t i = 0; i < 8; i++) {
				for (size_t j = 0; j < 8; j++) block[i * 8 + j][b] = gk[i][0] * G[j][0] + gk[i][1] * G[j][1] + gk[i][2] * G[j][2];
			}
		}
		for (size_t point = 0; point < POINTS; point++) {
			memcpy(call->u + (point * co + o) * ci + c0, block[point], count * sizeof(float));
		}
	}
}

/* V[point][c][tile] = (B^T d B)[point] for every 8x8 tile d of input channel c (zeros outside the image). */
static void input_transform_task(void* context, size_t thread, size_t c) {
	(void) thread;
	const struct winograd_call* call = context;
	const struct nnps_conv* g = call->g;
	const ptrdiff_t height = (ptrdiff_t) g->input_height, width = (ptrdiff_t) g->input_width;
	for (size_t column = 0; column < call->columns; column++) {
		const size_t t = column % call->tiles;
		const float* plane = call->input + ((call->first_image + column / call->tiles) * g->input_channels + c) * (size_t) (height * width);
		const ptrdiff_t y0 = (ptrdiff_t) ((t / call->tiles_w) * OUT) - (ptrdiff_t) g->pad_top;
		const ptrdiff_t x0 = (ptrdiff_t) ((t % call->tiles_w) * OUT) - (ptrdiff_t) g->pad_left;
		float d[8][8];
		for (ptrdiff_t y = 0; y < 8; y++) {
			for (ptrdiff_t x = 0; x < 8; x++) {
				const ptrdiff_t iy = y0 + y, ix = x0 + x;
				d[y][x] = (iy >= 0 && iy < height && ix >= 0 && ix < width) ? plane[iy * width + ix] : 0.0f;
			}
		}
		float bd[8][8];
		for (size_t i = 0; i < 8; i++) {
			for (size_t x = 0; x < 8; x++) {
				float sum = 0.0f;
				for (size_t y = 0; y < 8; y++) sum += BT[i][y] * d[y][x];
				bd[i][x] = sum;
			}
		}
		for (size_t i = 0; i < 8; i++) {
			for (size_t j = 0; j < 8; j++) {
				float sum = 0.0f;
				for (size_t x = 0; x < 8; x++) sum += bd[i][x] * BT[j][x];
				call->v[((i * 8 + j) * g->input_channels + c) * call->columns + column] = sum;
			}
		}
	}
}

/* One transform point's product over channels, one column chunk: M[p] = U[p] (co x ci) * V[p] (ci x tiles). */
static void multiply_task(void* context, size_t thread, size_t task) {
	const struct winograd_call* call = context;
	const struct nnps_conv* g = call->g;
	const size_t point = task / call->chunks, col0 = (task % call->chunks) * call->chunk;
	const size_t n = call->columns - col0 < call->chunk ? call->columns - col0 : call->chunk;
	const size_t co = g->output_channels, ci = g->input_channels;
	const struct nnps_b_source b = { nnps_b_strided, call->v + point * ci * call->columns, call->columns, 1, g };
	struct nnps_gemm_buffers buffers;
	nnps_gemm_buffers_carve(call->sgemm, call->max_columns, call->thread_buffers + thread * call->thread_floats, &buffers);
	nnps_sgemm(call->sgemm, co, n, ci, call->u + point * co * ci, ci, 1, &b, 0, col0, call->m + point * co * call->columns + col0, call->columns, false, &buffers);
}

/* Y = A^T M A per tile of output channel o, plus bias and relu, written where the tile lies inside the output. */
static void output_transform_task(void* context, size_t thread, size_t o) {
	(void) thread;
	const struct winograd_call* call = context;
	const struct nnps_conv* g = call->g;
	const size_t co = g->output_channels, oh = g->output_height, ow = g->output_width;
	const float bias = call->bias != NULL ? call->bias[o] : 0.0f;
	for (size_t column = 0; column < call->columns; column++) {
		const size_t t = column % call->tiles;
		float* plane = call->output + ((call->first_image + column / call->tiles) * co + o) * oh * ow;
		float mt[8][8];
		for (size_t i = 0; i < 8; i++) {
			for (size_t j = 0; j < 8; j++) mt[i][j] = call->m[((i * 8 + j) * co + o) * call->columns + column];
		}
		float am[6][8];
		for (size_t i = 0; i < 6; i++) {
			for (size_t j = 0; j < 8; j++) {
				float sum = 0.0f;
				for (size_t k = 0; k < 8; k++) sum += AT[i][k] * mt[k][j];
				am[i][j] = sum;
			}
		}
		const size_t y0 = (t / call->tiles_w) * OUT, x0 = (t % call->tiles_w) * OUT;
		for (size_t i = 0; i < 6 && y0 + i < oh; i++) {
			for (size_t j = 0; j < 6 && x0 + j < ow; j++) {
				float sum = bias;
				for (size_t k = 0; k < 8; k++) sum += am[i][k] * AT[j][k];
				plane[(y0 + i) * ow + x0 + j] = call->relu && sum < 0.0f ? 0.0f : sum;
			}
		}
	}
}

/* Images per group: enough that the 64 GEMMs are at least ~512 columns wide, within ~4096 columns of transforms. */
#define TARGET_COLUMNS 512
#define MAX_COLUMNS 4096

static void plan_tiles(const struct nnps_conv* g, const struct nnps_sgemm_kernel* sgemm, struct winograd_call* call) {
	call->tiles_h = ceil_div(g->output_height, OUT);
	call->tiles_w = ceil_div(g->output_width, OUT);
	call->tiles = call->tiles_h * call->tiles_w;
	size_t images = ceil_div(TARGET_COLUMNS, call->tiles);
	if (images * call->tiles > MAX_COLUMNS) images = MAX_COLUMNS / call->tiles;
	if (images == 0) images = 1;
	call->group_images = images < g->batch ? images : g->batch;
	const size_t widest = call->group_images * call->tiles;
	/* 64 independent GEMMs already give every thread work; split columns only for very wide groups. */
	const size_t parts = ceil_div(widest, 2048);
	call->chunk = ceil_div(ceil_div(widest, parts), sgemm->nr) * sgemm->nr;
	call->max_columns = call->chunk;
}

size_t nnps_winograd_workspace_floats(const struct nnps_conv* g, size_t threads, const struct nnps_sgemm_kernel* sgemm, size_t* max_columns) {
	struct winograd_call call;
	plan_tiles(g, sgemm, &call);
	*max_columns = call.max_columns;
	const size_t co = g->output_channels, ci = g->input_channels, widest = call.group_images * call.tiles;
	return POINTS * co * ci + POINTS * ci * widest + POINTS * co * widest + 48 + threads * nnps_gemm_buffer_floats(sgemm, call.max_columns);
}

static double seconds(void) {
	struct timespec time;
	clock_gettime(CLOCK_MONOTONIC, &time);
	return (double) time.tv_sec + 1e-9 * (double) time.tv_nsec;
}

static float* align(float* pointer) { return (float*) (((uintptr_t) pointer + (NNPS_ALIGNMENT - 1)) & ~(uintptr_t) (NNPS_ALIGNMENT - 1)); }

void nnps_winograd_convolution(
	const struct nnps_conv* g, const float* input, const float* kernel, bool gradient, const float* bias, bool relu, float* output,
	float* workspace, size_t max_columns, pthreadpool_t pool, size_t threads, const struct nnps_sgemm_kernel* sgemm, struct nnp_profile* profile)
{
	struct nnp_profile phases = { 0 };
	struct winograd_call call = { .g = g, .input = input, .kernel = kernel, .gradient = gradient, .bias = bias, .relu = relu, .output = output, .sgemm = sgemm };
	plan_tiles(g, sgemm, &call);
	call.max_columns = max_columns;
	const size_t co = g->output_channels, ci = g->input_channels;
	call.thread_floats = nnps_gemm_buffer_floats(sgemm, max_columns);
	call.thread_buffers = workspace;
	call.u = align(call.thread_buffers + threads * call.thread_floats);
	call.v = align(call.u + POINTS * co * ci);
	call.m = align(call.v + POINTS * ci * call.group_images * call.tiles);
	double start = seconds();
	nnps_parallelize(pool, kernel_transform_task, &call, co);
	phases.kernel_transform = seconds() - start;
	for (call.first_image = 0; call.first_image < g->batch; call.first_image += call.group_images) {
		call.images = g->batch - call.first_image < call.group_images ? g->batch - call.first_image : call.group_images;
		call.columns = call.images * call.tiles;
		call.chunks = ceil_div(call.columns, call.chunk);
		start = seconds();
		nnps_parallelize(pool, input_transform_task, &call, ci);
		phases.input_transform += seconds() - start;
		start = seconds();
		nnps_parallelize(pool, multiply_task, &call, POINTS * call.chunks);
		phases.block_multiplication += seconds() - start;
		start = seconds();
		nnps_parallelize(pool, output_transform_task, &call, co);
		phases.output_transform += seconds() - start;
	}
	if (profile != NULL) *profile = phases;
}
