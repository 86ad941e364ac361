/* What every Winograd pass shares: how a variant tiles a map, the tile descriptors of a run of the batch's tiles, a
 * transform phase over the channels of a tensor, and the workspace's checked layout. */
#include "winograd.h"

#define LANES NNPS_WINOGRAD_LANES

struct nnps_winograd_tiling nnps_winograd_tiling_of(enum nnps_winograd_variant variant, const struct nnps_conv* g) {
	struct nnps_winograd_tiling tiling;
	tiling.out = nnps_winograd_output_tile(variant);
	tiling.tile = tiling.out + 2;
	tiling.points = nnps_winograd_points(variant);
	tiling.tiles_w = nnps_ceil_div(g->output_width, tiling.out);
	tiling.tiles = nnps_ceil_div(g->output_height, tiling.out) * tiling.tiles_w;
	return tiling;
}

bool nnps_winograd_reserve(size_t* total, size_t* offset, size_t count, size_t a, size_t b) {
	size_t floats;
	*offset = *total;
	return nnps_product4(count, a, b, 1, &floats) && !__builtin_add_overflow(*total, nnps_round_up(floats, NNPS_FLOATS_PER_LINE), total);
}

/* Bits [0, count) of a tile's rows or columns that lie in [0, extent) when the tile starts at `origin`. */
static uint8_t inside_bits(ptrdiff_t origin, size_t count, size_t extent) {
	uint8_t bits = 0;
	for (size_t i = 0; i < count; i++) {
		if (origin + (ptrdiff_t) i >= 0 && origin + (ptrdiff_t) i < (ptrdiff_t) extent) bits |= (uint8_t) (1u << i);
	}
	return bits;
}

void nnps_winograd_describe_blocks(const struct nnps_conv* g, const struct nnps_winograd_tiling* tiling, size_t first, size_t count, size_t width,
	struct nnps_winograd_block* inputs, struct nnps_winograd_block* outputs)
{
	for (size_t column = 0; column < width; column++) {
		struct nnps_winograd_block *in = &inputs[column / LANES], *out = &outputs[column / LANES];
		const size_t t = column % LANES;
		if (column >= count) {
			in->offset[t] = out->offset[t] = 0;
			in->rows[t] = in->columns[t] = out->rows[t] = out->columns[t] = 0;
			continue;
		}
		const size_t image = (first + column) / tiling->tiles, tile = (first + column) % tiling->tiles;
		const size_t y = tile / tiling->tiles_w * tiling->out, x = tile % tiling->tiles_w * tiling->out;
		const ptrdiff_t iy = (ptrdiff_t) y - (ptrdiff_t) g->pad_top, ix = (ptrdiff_t) x - (ptrdiff_t) g->pad_left;
		in->offset[t] = (ptrdiff_t) (image * nnps_conv_input_image(g)) + iy * (ptrdiff_t) g->input_width + ix;
		in->rows[t] = inside_bits(iy, tiling->tile, g->input_height);
		in->columns[t] = inside_bits(ix, tiling->tile, g->input_width);
		out->offset[t] = (ptrdiff_t) (image * nnps_conv_output_image(g) + y * g->output_width + x);
		out->rows[t] = inside_bits((ptrdiff_t) y, tiling->out, g->output_height);
		out->columns[t] = inside_bits((ptrdiff_t) x, tiling->out, g->output_width);
	}
}

/* Where channel c's values of columns column0.. lie in a point's transformed matrix. */
static size_t transformed_offset(const struct nnps_winograd_planes* planes, size_t c, size_t column0) {
	const size_t panel = planes->panel_width;
	return panel == 0 ? c * planes->width + column0 : column0 / panel * planes->channels * panel + c * panel + column0 % panel;
}

void nnps_winograd_transform_plane(const struct nnps_winograd_planes* context, size_t c) {
	const float* plane = context->images + c * context->plane;
	for (size_t column0 = 0; column0 < context->columns; column0 += LANES) {
		context->transform(&context->blocks[column0 / LANES], plane, context->row_stride, context->transformed + transformed_offset(context, c, column0),
			context->point_stride);
	}
}

static void planes_task(void* argument, size_t thread, size_t c) {
	(void) thread;
	nnps_winograd_transform_plane(argument, c);
}

void nnps_winograd_transform_planes(const struct nnps_winograd_planes* planes, pthreadpool_t pool) {
	nnps_parallelize(pool, planes_task, (void*) planes, planes->channels);
}
