/*
 * The hardware table: per ISA level, the functions the portable layers call and the blocking the GEMM driver uses
 * (BLIS's context, XNNPACK's gemm-config, NNPACK's hwinfo). nnp_initialize picks one table for the CPU and derives
 * its blocking from the cache sizes; nothing outside this table and the ISA folders is ISA-specific.
 */
#ifndef NNPS_RUNTIME_HARDWARE_H
#define NNPS_RUNTIME_HARDWARE_H

#include "../ukernels.h"

/* Ordered by width: nnp_initialize walks down from NNPACKSHARP_ISA's cap to the first level the CPU runs, so a cap
 * of another architecture (avx2 on arm64) lands on this one's widest level below it. */
enum nnps_isa_level { nnps_isa_scalar = 0, nnps_isa_neon = 1, nnps_isa_avx2 = 2, nnps_isa_avx512 = 3 };

/* A GEMM micro-kernel with its tile, and the cache blocking of the five loops around it:
 * nc columns of B per block (L3), kc depth per packed panel (the kc x nr micro-panel of B in L1),
 * mc rows of A per packed block (the mc x kc block in L2). mc is a multiple of mr, nc of nr. */
struct nnps_sgemm_config {
	nnps_sgemm_ukernel_fn ukernel;
	uint32_t mr;
	uint32_t nr;
	size_t mc;
	size_t kc;
	size_t nc;
	const char* name;
	nnps_im2col_pack_fn im2col_pack; /* packs B micro-panels of nr columns from an image */
	nnps_im2col_transposed_pack_fn im2col_transposed_pack; /* the same, transposed (the kernel gradient's B) */
	nnps_transpose_pack_fn transpose_pack; /* packs B micro-panels from a transposed matrix (B's columns contiguous) */
	nnps_rows_pack_fn rows_pack;           /* packs B micro-panels from a row-major matrix (B's rows contiguous) */
	/* Products of two row-major operands along their rows, unpacked (a pointwise layer's kernel gradient); NULL where
	 * the level has none, and callers then pack for the ukernel above. */
	nnps_sdot_ukernel_fn dot_ukernel;
	uint32_t dot_mr, dot_nr;
	/* The 6 x nr micro-kernel with A read in place from image rows (the kernel gradient computed tap by tap:
	 * convolution/kernel-gradient-gather.c); NULL where the level has none (mr 6 where it has one). */
	nnps_sgemm_gather_ukernel_fn gather_ukernel;
};

/* One Winograd tile size's transforms (the per-point multiplications run on the sgemm ukernel). */
struct nnps_winograd_transforms {
	nnps_winograd_kernel_transform_fn kernel_transform;
	nnps_winograd_input_transform_fn input_transform;
	nnps_winograd_output_transform_fn output_transform;
	nnps_winograd_input_transform_fn grad_output_transform;              /* the kernel gradient: A g A^T */
	nnps_winograd_kernel_gradient_transform_fn grad_kernel_transform;   /* the kernel gradient: G^T M G */
};

/* One FFT tile size's transforms (the per-point complex products run on the sgemm ukernel as real GEMMs). */
struct nnps_fft_transforms {
	nnps_fft_forward_fn forward;
	nnps_fft_inverse_fn inverse;
};

/* The other operators' loops: ReLU and its gradient, a softmax row, max pooling's rows, the fully connected layer's dot
 * products; and col2im's stride-2 fold rows. */
struct nnps_vector_ops {
	nnps_relu_fn relu;
	nnps_relu_gradient_fn relu_gradient;
	nnps_softmax_row_fn softmax_row;
	nnps_max_into_fn max_into;
	nnps_max_columns_fn max_columns;
	nnps_dot_rows_fn dot_rows;
	nnps_dot_rows_half_fn dot_rows_half;
	nnps_fold_pairs_fn fold_pairs;
	nnps_fold_every_other_fn fold_every_other;
};

struct nnps_isa_table {
	enum nnps_isa_level level;
	const char* name; /* "avx512", "avx2", "neon", "scalar": what nnpsharp_isa reports and NNPACKSHARP_ISA caps */
	struct nnps_sgemm_config sgemm;
	struct nnps_winograd_transforms winograd_f6x6k3x3;
	struct nnps_winograd_transforms winograd_f4x4k3x3; /* small maps: 6x6 input tiles */
	struct nnps_fft_transforms fft8x8, fft16x16;
	struct nnps_vector_ops vector;
};

struct nnps_cache_sizes {
	size_t l1_bytes, l2_bytes, l3_bytes;
};

/* What nnp_initialize chose: the table of the widest ISA level the CPU runs (capped by NNPACKSHARP_ISA), its
 * blocking derived from the cache sizes. */
struct nnps_hardware {
	bool initialized;
	struct nnps_cache_sizes caches;
	struct nnps_isa_table isa;
	bool auto_measured; /* auto times its candidates on a shape's first call (NNPACKSHARP_AUTO; operators/measured-auto.h) */
};

NNPS_INTERNAL extern struct nnps_hardware nnps_hardware;

/* The table of `level`, its blocking derived from `caches`; false when this build has no kernels for that level. */
NNPS_INTERNAL bool nnps_isa_table_for(enum nnps_isa_level level, const struct nnps_cache_sizes* caches, struct nnps_isa_table* table);

/* True when this CPU and OS run `level` (AVX-512 F/VL/DQ/BW; AVX2 with FMA; NEON (ASIMD) per the kernel's HWCAP; scalar
 * always). */
NNPS_INTERNAL bool nnps_isa_supported(enum nnps_isa_level level);

/* The cache sizes the OS reports, with typical sizes where it reports none (hypervisors often hide them). */
NNPS_INTERNAL struct nnps_cache_sizes nnps_detect_cache_sizes(void);

#endif
