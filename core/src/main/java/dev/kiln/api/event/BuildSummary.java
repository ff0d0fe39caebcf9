package dev.kiln.api.event;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One build as a team measures it: what was built where, how it ended, where its time went,
 * what it moved and what it cost. {@link KilnEvent.BuildFinished} carries it; metrics
 * ({@code KilnMetrics}) and the build history are both made from it, so they never disagree.
 *
 * @param kilnVersion the Kiln that ran the build
 * @param recipe the recipe's name
 * @param os the OS id, e.g. {@code debian}
 * @param osVersion the OS version, e.g. {@code 12}
 * @param host the libvirt host's name ({@code localhost} for a local URI)
 * @param accelerator {@code kvm}, {@code tcg}, or {@code unknown} when no machine started
 * @param started when the build began
 * @param elapsed wall-clock time from start to the end of cleanup
 * @param succeeded whether the build produced (and, if asked, published) its template
 * @param failedStage the stage that failed; empty on success or for a failure between stages
 * @param stageTimes each stage that ran, in stage order
 * @param artifacts the files written (empty when the build failed before export)
 * @param bytesDownloaded source bytes fetched over the network (0 when all came from cache)
 * @param bytesUploaded bytes sent to publish targets
 * @param downloadCacheHits source files found in the content cache
 * @param downloadCacheMisses source files that had to be downloaded
 * @param installCacheHit whether an installed disk was reused; empty when the source has no
 *     install stage (cloud images, Debian bases)
 * @param queueWait time a matrix entry waited for a host slot ({@link Duration#ZERO} alone)
 * @param cpuSeconds CPU time of the build's machines (from the hypervisor) plus this
 *     process's CPU time during the build — the cost basis. Concurrent builds in one process
 *     each count the whole process's share.
 * @param peakDiskBytes the most bytes the build's files (build directory, machine disks,
 *     outputs) took at once, sampled every few seconds
 */
public record BuildSummary(String kilnVersion, String recipe, String os, String osVersion,
    String host, String accelerator, Instant started, Duration elapsed, boolean succeeded,
    Optional<Stage> failedStage, Map<Stage, Duration> stageTimes, List<Artifact> artifacts,
    long bytesDownloaded, long bytesUploaded, int downloadCacheHits, int downloadCacheMisses,
    Optional<Boolean> installCacheHit, Duration queueWait, double cpuSeconds,
    long peakDiskBytes) {
  /** Copies the collections, so a summary never changes. */
  public BuildSummary {
    Objects.requireNonNull(os);
    Objects.requireNonNull(osVersion);
    Objects.requireNonNull(started);
    Objects.requireNonNull(elapsed);
    Objects.requireNonNull(failedStage);
    Objects.requireNonNull(installCacheHit);
    Objects.requireNonNull(queueWait);
    stageTimes = Map.copyOf(stageTimes);
    artifacts = List.copyOf(artifacts);
  }

  /** {@code success} or {@code failure}: the value of the {@code result} tag and column. */
  public String result() {
    return succeeded ? "success" : "failure";
  }

  /**
   * One written artifact.
   *
   * @param format the disk format in lower case, e.g. {@code qcow2}, {@code vhd}, {@code ova}
   * @param compression {@code none}, {@code bz2}, {@code zip}, …
   * @param file the artifact's file name
   * @param bytes its size
   * @param virtualBytes the size of the disk inside it, as a guest sees it
   */
  public record Artifact(String format, String compression, String file, long bytes,
      long virtualBytes) {
    /** Disk size over artifact size (e.g. 20 for an 8 GiB disk in 400 MiB); 0 if unknown. */
    public double compressionRatio() {
      return bytes > 0 && virtualBytes > 0 ? (double) virtualBytes / bytes : 0;
    }
  }
}
