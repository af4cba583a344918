/*
 * Starts the official DynamoDB Local bound to 127.0.0.1 only. DynamoDB Local (1.25) has no bind
 * address option: its server is Jetty's `new Server(port)`, which listens on every interface. This
 * builds the server exactly as the jar's own main class does (same command-line options), sets the
 * host of its one connector to loopback, and starts it. Run as a single source file by `java`
 * (local/dynamodb-local.ts); nothing is compiled into the repository.
 */
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public class DynamoDbLocalOnLoopback {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) ((ServerConnector) connector).setHost("127.0.0.1");
    proxy.start();
  }
}
