/* The per-ISA tables, the CPU's ISA support and cache sizes, and the GEMM blocking derived from them. */
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

#include "hardware.h"

NNPS_INTERNAL struct nnps_hardware nnps_hardware;

static const struct nnps_winograd_transforms portable_winograd = {
	nnps_winograd_f6x6k3x3_kernel__scalar, nnps_winograd_f6x6k3x3_input__scalar, nnps_winograd_f6x6k3x3_output__scalar,
	nnps_winograd_f6x6k3x3_grad_output__scalar, nnps_winograd_f6x6k3x3_grad_kernel__scalar,
};
/* F(4x4, 3x3): the portable transforms on the levels without their own (NEON: GCC's -O3 vectorises their lane loops).
 * The kernel gradient's grad_output and gradient transforms: AVX2's on both x86-64 levels (AVX-512 has none of its
 * own yet), the portable ones elsewhere. */
static const struct nnps_winograd_transforms portable_winograd_f4x4 = {
	nnps_winograd_f4x4k3x3_kernel__scalar, nnps_winograd_f4x4k3x3_input__scalar, nnps_winograd_f4x4k3x3_output__scalar,
	nnps_winograd_f4x4k3x3_grad_output__scalar, nnps_winograd_f4x4k3x3_grad_kernel__scalar,
};
/* FFT: the portable transforms on every level without its own (NEON and scalar). */
static const struct nnps_fft_transforms portable_fft8x8 = { nnps_fft8x8_forward__scalar, nnps_fft8x8_inverse__scalar };
static const struct nnps_fft_transforms portable_fft16x16 = { nnps_fft16x16_forward__scalar, nnps_fft16x16_inverse__scalar };
#define VECTOR_OPS(suffix) { nnps_relu__##suffix, nnps_relu_gradient__##suffix, nnps_softmax_row__##suffix, nnps_max_into__##suffix, nnps_max_columns__##suffix, nnps_dot_rows__##suffix, nnps_dot_rows_half__##suffix, nnps_fold_pairs__##suffix, nnps_fold_every_other__##suffix }
/* The other operators' loops: the portable build (NEON's registers on AArch64) where a level has none of its own. */
static const struct nnps_vector_ops portable_vector_ops = VECTOR_OPS(scalar);
#if defined(NNPS_HAVE_X86_KERNELS)
static const struct nnps_vector_ops avx512_vector_ops = VECTOR_OPS(avx512);
static const struct nnps_vector_ops avx2_vector_ops = VECTOR_OPS(avx2);
static const struct nnps_winograd_transforms avx512_winograd = {
	nnps_winograd_f6x6k3x3_kernel__avx512, nnps_winograd_f6x6k3x3_input__avx512, nnps_winograd_f6x6k3x3_output__avx512,
	nnps_winograd_f6x6k3x3_grad_output__avx512, nnps_winograd_f6x6k3x3_grad_kernel__avx2,
};
static const struct nnps_winograd_transforms avx2_winograd = {
	nnps_winograd_f6x6k3x3_kernel__avx2, nnps_winograd_f6x6k3x3_input__avx2, nnps_winograd_f6x6k3x3_output__avx2,
	nnps_winograd_f6x6k3x3_grad_output__avx2, nnps_winograd_f6x6k3x3_grad_kernel__avx2,
};
static const struct nnps_winograd_transforms avx2_winograd_f4x4 = {
	nnps_winograd_f4x4k3x3_kernel__avx2, nnps_winograd_f4x4k3x3_input__avx2, nnps_winograd_f4x4k3x3_output__avx2,
	nnps_winograd_f4x4k3x3_grad_output__avx2, nnps_winograd_f4x4k3x3_grad_kernel__avx2,
};
static const struct nnps_fft_transforms avx512_fft8x8 = { nnps_fft8x8_forward__avx512, nnps_fft8x8_inverse__avx512 };
static const struct nnps_fft_transforms avx512_fft16x16 = { nnps_fft16x16_forward__avx512, nnps_fft16x16_inverse__avx512 };
static const struct nnps_fft_transforms avx2_fft8x8 = { nnps_fft8x8_forward__avx2, nnps_fft8x8_inverse__avx2 };
static const struct nnps_fft_transforms avx2_fft16x16 = { nnps_fft16x16_forward__avx2, nnps_fft16x16_inverse__avx2 };
static const struct nnps_winograd_transforms avx512_winograd_f4x4 = {
	nnps_winograd_f4x4k3x3_kernel__avx512, nnps_winograd_f4x4k3x3_input__avx512, nnps_winograd_f4x4k3x3_output__avx512,
	nnps_winograd_f4x4k3x3_grad_output__avx512, nnps_winograd_f4x4k3x3_grad_kernel__avx2,
};
#endif
#if defined(NNPS_HAVE_NEON_KERNELS)
static const struct nnps_winograd_transforms neon_winograd = {
	nnps_winograd_f6x6k3x3_kernel__neon, nnps_winograd_f6x6k3x3_input__neon, nnps_winograd_f6x6k3x3_output__neon,
	nnps_winograd_f6x6k3x3_grad_output__scalar, nnps_winograd_f6x6k3x3_grad_kernel__scalar,
};
#endif

/* BLIS's rules, in floats: the kc x nr micro-panel of B takes about two thirds of L1 (the rest holds A's micro-panel
 * and C's tile); the mc x kc block of A about an eighth of L2 (the B block streamed past it shares L2: measured on
 * Zen 5 with a 1 MiB L2, a half or a quarter of L2 ran VGG conv5 4-6% slower and nothing faster beyond noise); the kc x nc block of B about a quarter of L3
 * (shared with the other cores). The clamps keep hosts that report odd sizes (or hide them) sane: kc beyond 256 no
 * longer pays, since the tile's C update is then under 1% of its multiply-adds. */
static void derive_blocking(struct nnps_sgemm_config* config, const struct nnps_cache_sizes* caches) {
	const size_t mr = config->mr, nr = config->nr;
	config->kc = nnps_clamp(nnps_round_down(caches->l1_bytes * 2 / 3 / (nr * sizeof(float)), 8), 64, 256);
	config->mc = nnps_clamp(nnps_round_down(caches->l2_bytes / 8 / (config->kc * sizeof(float)), mr), mr, 170 * mr);
	config->nc = nnps_clamp(nnps_round_down(caches->l3_bytes / 4 / (config->kc * sizeof(float)), nr), nr, nnps_round_down(4096, nr));
}

bool nnps_isa_table_for(enum nnps_isa_level level, const struct nnps_cache_sizes* caches, struct nnps_isa_table* table) {
	switch (level) {
#if defined(NNPS_HAVE_X86_KERNELS)
		case nnps_isa_avx512:
			*table = (struct nnps_isa_table) {
				nnps_isa_avx512, "avx512", { nnps_sgemm_ukernel_6x32__avx512, 6, 32, 0, 0, 0, "sgemm_ukernel_6x32__avx512", nnps_im2col_pack__avx512, nnps_im2col_transposed_pack__avx512, nnps_transpose_pack__avx512, nnps_rows_pack__avx512, nnps_sdot_ukernel_4x6__avx512, 4, 6, nnps_sgemm_gather_ukernel_6x32__avx512 }, avx512_winograd, avx512_winograd_f4x4, avx512_fft8x8, avx512_fft16x16, avx512_vector_ops,
			};
			break;
		case nnps_isa_avx2:
			*table = (struct nnps_isa_table) {
				nnps_isa_avx2, "avx2", { nnps_sgemm_ukernel_6x16__avx2, 6, 16, 0, 0, 0, "sgemm_ukernel_6x16__avx2", nnps_im2col_pack__avx2, nnps_im2col_transposed_pack__avx2, nnps_transpose_pack__avx2, nnps_rows_pack__avx2, NULL, 0, 0, nnps_sgemm_gather_ukernel_6x16__avx2 }, avx2_winograd, avx2_winograd_f4x4, avx2_fft8x8, avx2_fft16x16, avx2_vector_ops,
			};
			break;
#endif
#if defined(NNPS_HAVE_NEON_KERNELS)
		case nnps_isa_neon:
			*table = (struct nnps_isa_table) {
				nnps_isa_neon, "neon", { nnps_sgemm_ukernel_8x12__neon, 8, 12, 0, 0, 0, "sgemm_ukernel_8x12__neon", nnps_im2col_pack__scalar, nnps_im2col_transposed_pack__scalar, nnps_transpose_pack__scalar, nnps_rows_pack__scalar, NULL, 0, 0, NULL }, neon_winograd, portable_winograd_f4x4, portable_fft8x8, portable_fft16x16, portable_vector_ops,
			};
			break;
#endif
		case nnps_isa_scalar:
			*table = (struct nnps_isa_table) {
				nnps_isa_scalar, "scalar", { nnps_sgemm_ukernel_4x8__scalar, 4, 8, 0, 0, 0, "sgemm_ukernel_4x8__scalar", nnps_im2col_pack__scalar, nnps_im2col_transposed_pack__scalar, nnps_transpose_pack__scalar, nnps_rows_pack__scalar, NULL, 0, 0, NULL }, portable_winograd, portable_winograd_f4x4, portable_fft8x8, portable_fft16x16, portable_vector_ops,
			};
			break;
		default:
			return false;
	}
	derive_blocking(&table->sgemm, caches);
	return true;
}

bool nnps_isa_supported(enum nnps_isa_level level) {
	switch (level) {
#if defined(__x86_64__) && defined(NNPS_HAVE_X86_KERNELS)
		/* __builtin_cpu_supports consults XGETBV too: a level counts only when the OS saves its registers. */
		case nnps_isa_avx512:
			__builtin_cpu_init();
			return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
				__builtin_cpu_supports("avx512bw");
		case nnps_isa_avx2:
			__builtin_cpu_init();
			return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#if defined(__aarch64__) && defined(NNPS_HAVE_NEON_KERNELS)
		/* ARMv8-A makes Advanced SIMD mandatory for Linux's userland, but the kernel still reports it: trust the report. */
		case nnps_isa_neon:
			return (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
#endif
		case nnps_isa_scalar:
			return true;
		default:
			return false;
	}
}

/* Sizes typical of current x86-64 and ARM64 cores, used where the OS reports none. */
#define DEFAULT_L1_BYTES (32 * 1024)
#define DEFAULT_L2_BYTES (1024 * 1024)
#define DEFAULT_L3_BYTES (8 * 1024 * 1024)

static size_t reported_or(unsigned level, size_t fallback) {
	const size_t size = nnps_cache_bytes(level);
	return size > 0 ? size : fallback;
}

struct nnps_cache_sizes nnps_detect_cache_sizes(void) {
	return (struct nnps_cache_sizes) { reported_or(1, DEFAULT_L1_BYTES), reported_or(2, DEFAULT_L2_BYTES), reported_or(3, DEFAULT_L3_BYTES) };
}
