import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.opensearch.Version;
import org.opensearch.common.settings.Settings;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.PluginInfo;

/**
 * A single-node OpenSearch on 127.0.0.1 for tests and local use, started by deploy/dev/services.
 * The distribution's modules are not on Maven Central as a bundle, so the seven the project needs
 * are loaded from the classpath, as the OpenSearch test framework's MockNode does (the Node
 * constructor that takes plugin descriptors is protected, hence the subclass). SIGTERM closes
 * the node cleanly from a shutdown hook. Its one argument: the node's settings file (YAML).
 */
public class OpenSearchNode extends Node {
    static final List<String> MODULES = List.of(
        "org.opensearch.transport.Netty4ModulePlugin",
        "org.opensearch.analysis.common.CommonAnalysisModulePlugin",
        "org.opensearch.percolator.PercolatorModulePlugin",
        "org.opensearch.index.mapper.MapperExtrasModulePlugin",
        "org.opensearch.painless.PainlessModulePlugin",
        "org.opensearch.index.reindex.ReindexModulePlugin",
        "org.opensearch.ingest.common.IngestCommonModulePlugin");

    OpenSearchNode(Settings settings, List<PluginInfo> plugins) {
        super(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "wirewatch-dev"),
            plugins, true);
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.builder().loadFromPath(Path.of(args[0])).build();
        List<PluginInfo> plugins = MODULES.stream()
            .map(cls -> new PluginInfo(cls, "classpath plugin", "NA", Version.CURRENT, "21", cls, null, List.of(), false))
            .toList();
        Node node = new OpenSearchNode(settings, plugins);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try { node.close(); } catch (Exception e) { e.printStackTrace(); } finally { closed.countDown(); }
        }));
        node.start();
        System.out.println("wirewatch-dev: OpenSearch " + Version.CURRENT + " started");
        closed.await();
    }
}
