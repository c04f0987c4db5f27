// accelerate_config.yaml: one machine, one process; the lines for several GPUs or machines are there, commented,
// with what each one means.
export function accelerateConfig(): string {
  return `# accelerate's settings for this project: one machine, one GPU (or the CPU when there is none).
# Use it with: accelerate launch --config_file accelerate_config.yaml train.py
compute_environment: LOCAL_MACHINE
distributed_type: "NO"
num_machines: 1
num_processes: 1
machine_rank: 0
mixed_precision: "no"
use_cpu: false

# Several GPUs on this machine (data parallel): one process per GPU.
# distributed_type: MULTI_GPU
# num_processes: 4            # the number of GPUs
# gpu_ids: all
#
# Several machines: the same file on each, with its own machine_rank (0 on the main one).
# distributed_type: MULTI_GPU
# num_machines: 2
# num_processes: 8            # GPUs on all machines together
# machine_rank: 0
# main_process_ip: 10.0.0.1   # the main machine's address
# main_process_port: 29500
#
# Larger models: add a deepspeed_config or fsdp_config section here (see accelerate's documentation).
`;
}
