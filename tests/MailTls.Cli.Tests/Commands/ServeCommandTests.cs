namespace MailTls.Cli.Tests.Commands;

/// <summary><c>mailtls serve --check-config</c> exit codes and JSON.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly TestCertificates certs = new("mta-sts.example.com");
    private readonly string dir = Directory.CreateTempSubdirectory("mailtls-cli-serve-").FullName;

    public void Dispose()
    {
        certs.Dispose();
        Directory.Delete(dir, true);
    }

    private string Config(string policy, string selfCheck = "{enabled: false}", int port = 0, int adminPort = 0)
    {
        var path = Path.Combine(dir, "serve.yaml");
        File.WriteAllText(path, $$"""
            listeners: [{address: 127.0.0.1, port: {{port}}}]
            admin: {address: 127.0.0.1, port: {{adminPort}}}
            domains:
              - {{policy}}
            certificates:
              - {host: mta-sts.example.com, cert: {{certs.ChainPath}}, key: {{certs.KeyPath}}}
            self_check: {{selfCheck}}
            log_format: simple
            """);
        return path;
    }

    [Fact]
    public async Task A_good_configuration_checks_clean()
    {
        var (code, json) = await CliRun.JsonAsync("serve", "--check-config", Config("{domain: example.com, mode: enforce, mx: [mx1.example.com], max_age: 1209600}"));
        Assert.Equal(0, code);
        Assert.True(json.GetProperty("valid").GetBoolean());
        var domain = json.GetProperty("health").GetProperty("domains")[0];
        Assert.True(domain.GetProperty("served").GetBoolean());
        Assert.Equal(certs.Leaf.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).ToLowerInvariant(),
            domain.GetProperty("certificate").GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task An_invalid_configuration_is_exit_1_with_the_key()
    {
        var (code, json) = await CliRun.JsonAsync("serve", "--check-config", Config("{domain: example.com, mode: sometimes, mx: [mx1.example.com]}"));
        Assert.Equal(1, code);
        Assert.False(json.GetProperty("valid").GetBoolean());
        var f = json.GetProperty("findings")[0];
        Assert.Equal("serve.config.invalid", f.GetProperty("code").GetString());
        Assert.Contains("domains[0].mode", f.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_policy_file_is_exit_1()
    {
        File.WriteAllText(Path.Combine(dir, "policy.txt"), "version: STSv1\nmode: enforce\n");
        var (code, output, _) = await CliRun.RunAsync("serve", "--check-config", Config("{domain: example.com, policy_file: policy.txt}"));
        Assert.Equal(1, code);
        Assert.Contains("serve.policy.invalid", output, StringComparison.Ordinal);
        Assert.Contains("not served", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_resolver_gives_warnings_not_errors()
    {
        var (code, json) = await CliRun.JsonAsync("serve", "--check-config",
            Config("{domain: example.com, mode: enforce, mx: [mx1.example.com], max_age: 1209600}", "{resolver: ['127.0.0.1:9'], timeout_seconds: 0.3}"));
        Assert.Equal(0, code);
        var codes = json.GetProperty("health").GetProperty("domains")[0].GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()).ToList();
        Assert.Contains("serve.dns.unavailable", codes);
    }

    [Fact]
    public async Task Check_config_opens_the_receiver_stores_and_reports_the_ones_that_fail()
    {
        var good = Path.Combine(dir, "reports", "good.db");
        var blocker = Path.Combine(dir, "blocker");
        File.WriteAllText(blocker, "a file where the store's directory should be");
        var path = Path.Combine(dir, "receiver.yaml");
        File.WriteAllText(path, $$"""
            listeners: [{address: 127.0.0.1, port: 0}]
            admin: {enabled: false}
            tlsrpt:
              host: mta-sts.example.com
              tenants:
                - {name: good, path: "/tlsrpt/0f1e2d3c4b5a69788796a5b4c3d2e1f0aa", db: "{{good}}"}
                - {name: bad, path: "/tlsrpt/1f2e3d4c5b6a79889706b5c4d3e2f1a0bb", db: "{{Path.Combine(blocker, "r.db")}}"}
            certificates:
              - {host: mta-sts.example.com, cert: {{certs.ChainPath}}, key: {{certs.KeyPath}}}
            self_check: {enabled: false}
            """);
        var (code, json) = await CliRun.JsonAsync("serve", "--check-config", path);
        Assert.Equal(1, code);
        Assert.False(json.GetProperty("valid").GetBoolean());
        Assert.True(File.Exists(good), "the good store was created and migrated");
        var tlsrpt = json.GetProperty("health").GetProperty("tlsrpt");
        var tenants = tlsrpt.GetProperty("tenants").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.True(tenants["good"].GetProperty("store_available").GetBoolean());
        Assert.False(tenants["bad"].GetProperty("store_available").GetBoolean());
        Assert.DoesNotContain("0f1e2d3c4b5a69788796a5b4c3d2e1f0aa", json.ToString(), StringComparison.Ordinal);
        var errors = tlsrpt.GetProperty("findings").EnumerateArray().Where(f => f.GetProperty("severity").GetString() == "error").ToList();
        Assert.Equal("serve.tlsrpt.store-unavailable", Assert.Single(errors).GetProperty("code").GetString());
        Assert.Contains("tenant bad", errors[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        File.Delete(blocker);
        var (text, output, _) = await CliRun.RunAsync("serve", "--check-config", path);
        Assert.Equal(0, text);
        Assert.Contains("tlsrpt tenant bad", output, StringComparison.Ordinal);
        Assert.Contains("store OK", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("--config", "a.yaml", "--check-config", "a.yaml")]
    public async Task Exactly_one_mode_is_required(params string[] args)
    {
        var (code, _, err) = await CliRun.RunAsync(["serve", .. args]);
        Assert.Equal(2, code);
        Assert.Contains("exactly one", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_stops_gracefully_on_sigterm()
    {
        var port = FreePort();
        var config = Config("{domain: example.com, mode: enforce, mx: [mx1.example.com]}", port: port, adminPort: FreePort());
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { typeof(CliApp).Assembly.Location, "serve", "--config", config })
        {
            start.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var listening = false;
            for (var i = 0; i < 150 && !listening && !process.HasExited; i++)
            {
                try
                {
                    using var tcp = new System.Net.Sockets.TcpClient();
                    await tcp.ConnectAsync("127.0.0.1", port);
                    listening = true;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    await Task.Delay(200);
                }
            }

            Assert.True(listening, "serve did not listen");
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(wait.Token);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("stopped", await stdout, StringComparison.Ordinal);
            _ = await stderr;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
