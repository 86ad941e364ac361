/* The kernel gradient tap by tap (see kernel-gradient-gather.h). */
#include <string.h>

#include "kernel-gradient-gather.h"

/* The depth of one micro-kernel call, about: a B block of this many pixels (nr floats each, 32 KiB for AVX-512's 32)
 * stays in L1 while the task's tiles of taps pass over it. */
#define BLOCK_PIXELS 256
#define MIN_PIXELS 512
/* A task's band of padded input rows, about at most: whole images of a few channels (the stem's 630 KB: two
 * threads 1.00x the im2col way, where 256 KiB bands ran 0.83x and 64 KiB ones lower), a block's rows of many; less
 * what the task keeps beside it in L2 (the plan below), but never below MIN_BAND_BYTES. */
#define BAND_BYTES (1024 * 1024)
#define MIN_BAND_BYTES (256 * 1024)

bool nnps_kernel_gradient_gather_plan(const struct nnps_conv* g, const struct nnps_sgemm_config* config, size_t threads, struct nnps_gather_plan* plan) {
	if (config->gather_ukernel == NULL || config->mr != 6) return false;
	/* 1x1 kernels: the pointwise and decimated paths read their operands as they lie already. */
	if (g->kernel_height == 1 && g->kernel_width == 1) return false;
	const size_t patch = nnps_conv_patch(g), plane = nnps_conv_output_plane(g), sy = nnps_conv_stride_y(g), sx = nnps_conv_stride_x(g);
	/* Strides up to 2 and a copy not much larger than the input: wide strides and wide padding would copy mostly
	 * what no window reads (the other path reads the input as it lies). Extents are validated, so these fit. */
	if (sy > 2 || sx > 2) return false;
	const size_t padded_height = (g->output_height - 1) * sy + g->kernel_height;
	plan->padded_width = (g->output_width - 1) * sx + g->kernel_width;
	if (padded_height > 2 * g->input_height + 64 || plan->padded_width > 2 * g->input_width + 64) return false;
	/* At least MIN_PIXELS multiply-adds per element of grad_kernel: its transposed copy is written, read and written
	 * again once per call (batch-1 14x14 maps, 196 pixels: 0.86x the other path; Inception's 2312: 1.11x). */
	if (g->batch * plane < MIN_PIXELS) return false;
	plan->panels = nnps_ceil_div(g->output_channels, config->nr);
	plan->tiles = nnps_ceil_div(patch, 6);
	/* Tasks take runs of panels and of tiles. Each packs grad_output for its panels, so runs of tiles pack it again
	 * (cheap against many taps); runs of panels read the input block again (cheap against many panels). */
	plan->groups = patch < 512 && plan->panels >= threads ? threads : 1;
	plan->splits = nnps_min(plan->tiles, threads / plan->groups);
	plan->block_rows = nnps_clamp(BLOCK_PIXELS / g->output_width, 1, g->output_height);
	/* A task's taps span at most this many channels: its tiles' taps, plus one channel each end cut. */
	const size_t taps = g->kernel_height * g->kernel_width, tiles_per_task = nnps_ceil_div(plan->tiles, plan->splits);
	const size_t band_channels = nnps_min(g->input_channels, nnps_ceil_div(tiles_per_task * 6, taps) + 1);
	/* A band spans whole blocks, as many as fit its budget, so that the rows two blocks share are copied once (the
	 * stem's two-row blocks each read nine input rows: 0.76x on two threads, band by block). */
	const size_t row_bytes = band_channels * plan->padded_width * sy * sizeof(float);
	/* The budget less what else the task keeps in L2 beside its band, its share of grad_kernel^T and its packed
	 * grad_output block (ResNet 3x3/2 on two threads: bands of two blocks, 540 KB, beside 420 KB, where three blocks
	 * (830 KB) overfilled L2: nnpack_ab_bench, 15 rounds, both orders, 1.03-1.04x, the same bits; the stem, the
	 * 16-channel 3x3/2, 5x5/2 and Inception 7x1, whose bands and shares are small, 0.99-1.01x). */
	const size_t panels_per_group = nnps_ceil_div(plan->panels, plan->groups);
	plan->packed_floats = plan->block_rows * g->output_width * config->nr * panels_per_group;
	const size_t beside = (tiles_per_task * 6 * panels_per_group * config->nr + plan->packed_floats) * sizeof(float);
	const size_t budget = BAND_BYTES > beside + MIN_BAND_BYTES ? BAND_BYTES - beside : MIN_BAND_BYTES;
	plan->band_blocks = nnps_clamp(budget / row_bytes / plan->block_rows, 1, nnps_ceil_div(g->output_height, plan->block_rows));
	plan->band_rows = (plan->band_blocks * plan->block_rows - 1) * sy + g->kernel_height;
	size_t band, transposed;
	if (!nnps_product4(band_channels, plan->band_rows, plan->padded_width, 1, &band) || !nnps_product4(patch, plan->panels, config->nr, 1, &transposed))
		return false;
	plan->thread_floats = plan->packed_floats + nnps_round_up(band, NNPS_FLOATS_PER_LINE);
	plan->transposed_floats = nnps_round_up(transposed, NNPS_FLOATS_PER_LINE);
	return true;
}

bool nnps_kernel_gradient_gather_workspace(const struct nnps_gather_plan* plan, size_t threads, size_t* floats) {
	size_t buffers;
	return !__builtin_mul_overflow(plan->thread_floats, threads, &buffers) && !__builtin_add_overflow(buffers, plan->transposed_floats, floats);
}

struct gather_context {
	const struct nnps_conv* g;
	const struct nnps_sgemm_config* config;
	const struct nnps_gather_plan* plan;
	const float* input;
	const float* grad_output;
	float* grad_kernel;
	float* transposed; /* [tap][panels * nr]: grad_kernel^T */
	float* buffers;    /* per thread: a block of grad_output's pixels transposed, per panel [pixel][nr]; then the band */
};

/* Rows [y0, y0 + rows) of channels [c0, c0 + count) of one image, zero-padded (row y, column u of the padded input:
 * input row y - pad_top, column u - pad_left, zero outside), into `band` [channel][row][padded_width]. Each task copies
 * the rows its block reads for its own channels just before its tiles read them (L2); a copy of the whole batch made
 * first ran ResNet 3x3/2's kernel gradient at 0.88x on two threads, the tiles reading rows another core had written. */
static void fill_band(const struct nnps_conv* g, const struct nnps_gather_plan* plan, const float* image, size_t c0, size_t count, size_t y0, size_t rows, float* band) {
	const size_t width = plan->padded_width;
	/* Columns u of the copy hold input column u - pad_left where that lies inside. */
	const size_t lo = nnps_min(width, g->pad_left), hi = nnps_clamp(g->pad_left + g->input_width, lo, width);
	for (size_t c = 0; c < count; c++) {
		const float* channel = image + (c0 + c) * nnps_conv_input_plane(g);
		float* out = band + c * plan->band_rows * width;
		for (size_t y = y0; y < y0 + rows; y++, out += width) {
			if (y < g->pad_top || y - g->pad_top >= g->input_height) {
				memset(out, 0, width * sizeof(float));
				continue;
			}
			memset(out, 0, lo * sizeof(float));
			if (hi > lo) memcpy(out + lo, channel + (y - g->pad_top) * g->input_width + (lo - g->pad_left), (hi - lo) * sizeof(float));
			memset(out + hi, 0, (width - hi) * sizeof(float));
		}
	}
}

/* A tap's channel and position in the window, stepped through the taps in order without a division (six per tile
 * call, three each, had been 4% of Inception 1x7's kernel gradient, perf). */
struct tap_cursor {
	size_t channel, ky, kx;
};

static struct tap_cursor tap_at(const struct nnps_conv* g, size_t tap) {
	const size_t taps = g->kernel_height * g->kernel_width;
	return (struct tap_cursor) { tap / taps, tap % taps / g->kernel_width, tap % g->kernel_width };
}

static void next_tap(const struct nnps_conv* g, struct tap_cursor* t) {
	if (++t->kx < g->kernel_width) return;
	t->kx = 0;
	if (++t->ky < g->kernel_height) return;
	t->ky = 0;
	t->channel++;
}

/* Task = (run of panels, run of tiles): its tiles of grad_kernel^T summed over the batch, block of rows after block;
 * each block's grad_output packed for the task's panels (L2), then panel by panel (its block in L1) every tile (the
 * input block's rows from L2). */
static void multiply_task(void* argument, size_t thread, size_t task) {
	const struct gather_context* context = argument;
	const struct nnps_conv* g = context->g;
	const struct nnps_gather_plan* plan = context->plan;
	const size_t patch = nnps_conv_patch(g), plane = nnps_conv_output_plane(g), taps = g->kernel_height * g->kernel_width;
	const size_t width = plan->padded_width, channel_floats = plan->band_rows * width, nr = context->config->nr, ldc = plan->panels * nr;
	const size_t sy = nnps_conv_stride_y(g), sx = nnps_conv_stride_x(g);
	size_t first_panel, end_panel, first, end;
	nnps_balanced_part(plan->panels, plan->groups, task / plan->splits, &first_panel, &end_panel);
	nnps_balanced_part(plan->tiles, plan->splits, task % plan->splits, &first, &end);
	/* The channels the task's taps read. */
	const size_t c0 = first * 6 / taps, channels = (nnps_min(end * 6, patch) - 1) / taps + 1 - c0;
	float* packed = context->buffers + thread * plan->thread_floats;
	float* band = packed + plan->packed_floats;
	for (size_t image = 0; image < g->batch; image++) {
		const float* grad_output = context->grad_output + image * nnps_conv_output_image(g);
		size_t band_oy = 0;
		for (size_t oy = 0; oy < g->output_height; oy += plan->block_rows) {
			const size_t rows = nnps_min(plan->block_rows, g->output_height - oy), pixels = rows * g->output_width;
			if ((oy / plan->block_rows) % plan->band_blocks == 0) {
				band_oy = oy;
				const size_t band_rows = (nnps_min(plan->band_blocks * plan->block_rows, g->output_height - oy) - 1) * sy + g->kernel_height;
				fill_band(g, plan, context->input + image * nnps_conv_input_image(g), c0, channels, oy * sy, band_rows, band);
			}
			for (size_t panel = first_panel; panel < end_panel; panel++) {
				const size_t n = nnps_min(nr, g->output_channels - panel * nr);
				context->config->transpose_pack(grad_output + panel * nr * plane + oy * g->output_width, plane, n, nr, pixels,
					packed + (panel - first_panel) * pixels * nr);
			}
			for (size_t panel = first_panel; panel < end_panel; panel++) {
				const size_t n = nnps_min(nr, g->output_channels - panel * nr);
				const float* b = packed + (panel - first_panel) * pixels * nr;
				const float* block = band + (oy - band_oy) * sy * width;
				struct tap_cursor cursor = tap_at(g, first * 6);
				for (size_t tile = first; tile < end; tile++) {
					const size_t tap0 = tile * 6, m = nnps_min(6, patch - tap0);
					const float* a[6];
					for (size_t i = 0; i < m; i++, next_tap(g, &cursor)) a[i] = block + (cursor.channel - c0) * channel_floats + cursor.ky * width + cursor.kx;
					context->config->gather_ukernel(m, n, rows, g->output_width, a, sy * width, sx, b, context->transposed + tap0 * ldc + panel * nr, ldc,
						image != 0 || oy != 0);
				}
			}
		}
	}
}

/* Task = a run of output channels: grad_kernel[o][tap] = transposed[tap][o]. */
#define TRANSPOSE_ROWS 8
static void transpose_task(void* argument, size_t thread, size_t task) {
	(void) thread;
	const struct gather_context* context = argument;
	const size_t patch = nnps_conv_patch(context->g), ldc = context->plan->panels * context->config->nr;
	const size_t o0 = task * TRANSPOSE_ROWS, o1 = nnps_min(context->g->output_channels, o0 + TRANSPOSE_ROWS);
	for (size_t tap = 0; tap < patch; tap++) {
		for (size_t o = o0; o < o1; o++) context->grad_kernel[o * patch + tap] = context->transposed[tap * ldc + o];
	}
}

void nnps_kernel_gradient_gather(
	const struct nnps_conv* g, const struct nnps_sgemm_config* config, const struct nnps_gather_plan* plan, const float* input, const float* grad_output,
	float* grad_kernel, float* workspace, pthreadpool_t pool)
{
	const struct gather_context context = { g, config, plan, input, grad_output, grad_kernel, workspace, workspace + plan->transposed_floats };
	nnps_parallelize(pool, multiply_task, (void*) &context, plan->groups * plan->splits);
	nnps_parallelize(pool, transpose_task, (void*) &context, nnps_ceil_div(g->output_channels, TRANSPOSE_ROWS));
}
