using ItOpsStream.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
