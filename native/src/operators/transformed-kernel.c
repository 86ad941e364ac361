/* The stored kernels of nnp_convolution_inference (see transformed-kernel.h). */
#include <string.h>

#include "transformed-kernel.h"
#include "../convolution/implicit-gemm.h"
#include "../convolution/winograd.h"

#define MAGIC "NNPSKRN1"

struct header {
	char magic[8];
	uint32_t algorithm; /* enum nnps_algorithm */
	uint32_t isa;       /* enum nnps_isa_level of the table that wrote it */
	uint32_t mr;        /* its micro-kernel's rows: the packed layout depends on them */
	uint32_t reserved;
	uint64_t input_channels, output_channels, kernel_height, kernel_width, floats;
};
_Static_assert(sizeof(struct header) == NNPS_ALIGNMENT, "the floats after the header stay cache-line aligned");

static bool kernel_floats(enum nnps_algorithm algorithm, const struct nnps_conv* g, size_t* floats) {
	const struct nnps_isa_table* isa = &nnps_hardware.isa;
	enum nnps_winograd_variant variant;
	enum nnps_fft_variant fft;
	if (nnps_algorithm_is_fft(algorithm, &fft)) return nnps_fft_kernel_floats(fft, g, &isa->sgemm, floats);
	return nnps_algorithm_is_winograd(algorithm, &variant) ? nnps_winograd_kernel_floats(variant, g, &isa->sgemm, floats)
		: nnps_implicit_gemm_kernel_floats(g, &isa->sgemm, floats);
}

bool nnps_transformed_kernel_bytes(enum nnps_algorithm algorithm, const struct nnps_conv* g, size_t* bytes) {
	size_t floats;
	return kernel_floats(algorithm, g, &floats) && !__builtin_mul_overflow(floats, sizeof(float), bytes) &&
		!__builtin_add_overflow(*bytes, sizeof(struct header), bytes);
}

static struct header header_for(enum nnps_algorithm algorithm, const struct nnps_conv* g, size_t floats) {
	struct header header = {
		.algorithm = (uint32_t) algorithm, .isa = (uint32_t) nnps_hardware.isa.level, .mr = nnps_hardware.isa.sgemm.mr,
		.input_channels = g->input_channels, .output_channels = g->output_channels, .kernel_height = g->kernel_height, .kernel_width = g->kernel_width,
		.floats = floats,
	};
	memcpy(header.magic, MAGIC, sizeof header.magic);
	return header;
}

void nnps_transformed_kernel_write(enum nnps_algorithm algorithm, const struct nnps_conv* g, const float* kernel, void* buffer, pthreadpool_t pool) {
	const struct nnps_isa_table* isa = &nnps_hardware.isa;
	size_t floats = 0;
	kernel_floats(algorithm, g, &floats);
	const struct header header = header_for(algorithm, g, floats);
	memcpy(buffer, &header, sizeof header);
	float* transformed = (float*) ((char*) buffer + sizeof header);
	enum nnps_winograd_variant variant;
	enum nnps_fft_variant fft;
	if (nnps_algorithm_is_fft(algorithm, &fft)) {
		nnps_fft_transform_kernel(fft, g, isa, kernel, false, transformed, pool);
	} else if (nnps_algorithm_is_winograd(algorithm, &variant)) {
		nnps_winograd_transform_kernel(variant, g, isa, kernel, false, transformed, pool);
	} else {
		nnps_implicit_gemm_pack_kernel(g, &isa->sgemm, kernel, transformed, pool);
	}
}

enum nnp_status nnps_transformed_kernel_open(
	const void* transformed, enum nnp_convolution_algorithm requested, const struct nnps_conv* g, enum nnps_algorithm* algorithm, const float** floats)
{
	if (transformed == NULL) return nnp_status_invalid_transform_strategy;
	struct header stored;
	memcpy(&stored, transformed, sizeof stored);
	if (memcmp(stored.magic, MAGIC, sizeof stored.magic) != 0) return nnp_status_invalid_transform_strategy;
	if (stored.algorithm > nnps_algorithm_fft16x16) return nnp_status_invalid_transform_strategy;
	*algorithm = (enum nnps_algorithm) stored.algorithm;
	size_t expected_floats;
	if (!kernel_floats(*algorithm, g, &expected_floats)) return nnp_status_invalid_transform_strategy;
	const struct header expected = header_for(*algorithm, g, expected_floats);
	if (memcmp(&stored, &expected, sizeof stored) != 0) return nnp_status_invalid_transform_strategy;
	enum nnps_winograd_variant variant;
	if (nnps_algorithm_is_winograd(*algorithm, &variant) && !nnps_winograd_applies(g)) return nnp_status_invalid_transform_strategy;
	enum nnps_fft_variant fft;
	if (nnps_algorithm_is_fft(*algorithm, &fft) && !nnps_fft_applies(fft, nnps_function_inference, g)) return nnp_status_invalid_transform_strategy;
	if (requested != nnp_convolution_algorithm_auto) {
		enum nnps_algorithm explicit_choice;
		const enum nnp_status status = nnps_choose_algorithm(requested, nnps_function_inference, g, &explicit_choice);
		if (status != nnp_status_success) return status;
		if (explicit_choice != *algorithm) return nnp_status_invalid_transform_strategy;
	}
	*floats = (const float*) ((const char*) transformed + sizeof stored);
	return nnp_status_success;
}
