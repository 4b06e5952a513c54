# Sourced by the benchmarks that read the CPU time of a run's processes
# (bench/wait_sampling.sh, bench/summaries_overhead.sh), after
# start_scratch_cluster (scripts/common.sh) has set $DIR.
#
# cpu_watch: until killed, the latest utime + stime (clock ticks) of the
# recorder and of the workers of this cluster's runs, as "recorder workers"
cpu_watch() {
	local pm; pm=$(head -1 "$DIR/data/postmaster.pid")
	declare -A seen
	while :; do
		for pid in $(ps -o pid= --ppid "$pm"); do
			cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
			case $cmd in *"loadtest "*"recorder"* |*"loadtest run"*worker*) ;; *) continue ;; esac
			t=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || continue
			[ -n "$t" ] && seen[$pid]="${cmd##*run } $t"
		done
		printf '%s\n' "${seen[@]}" | awk '/recorder/ { r += $NF } /worker/ { w += $NF } END { print r + 0, w + 0 }' >"$DIR/cpu.now"
		sleep 0.1
	done 2>/dev/null
}
