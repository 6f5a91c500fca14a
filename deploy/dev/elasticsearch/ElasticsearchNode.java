import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.elasticsearch.Build;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginsLoader;

/**
 * A single-node Elasticsearch on 127.0.0.1 for tests and local use, started by deploy/dev/services.
 * Only the core APIs and the netty4 transport module exist on Maven Central; the module is loaded
 * from $path.home/modules/transport-netty4/ (laid out by the script), as the real distribution
 * does. Logging must be configured before the node is built (else an NPE). SIGTERM closes the
 * node cleanly from a shutdown hook. Its one argument: the node's settings file (YAML).
 */
public class ElasticsearchNode {
    public static void main(String[] args) throws Exception {
        Settings settings = Settings.builder().loadFromPath(Path.of(args[0])).build();
        LogConfigurator.configureESLogging();
        LogConfigurator.configureWithoutConfig(settings);
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "wirewatch-dev");
        PluginsLoader plugins = PluginsLoader.createPluginsLoader(
            PluginsLoader.loadModulesBundles(env.modulesDir(), false), Set.of(), Map.of(), false);
        Node node = new Node(env, plugins);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try { node.close(); } catch (Exception e) { e.printStackTrace(); } finally { closed.countDown(); }
        }));
        node.start();
        System.out.println("wirewatch-dev: Elasticsearch " + Build.current().version() + " started");
        closed.await();
    }
}
